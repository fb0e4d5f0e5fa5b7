import type { Knex } from 'knex';
import type { PluginMetrics } from '../core/metrics.js';
import type { HealthBody } from '../contract/index.js';

/** The last run of a job as the scheduler's lease rows record it (every process). */
export interface JobRunView {
  jobId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  outcome: string | null;
  running: boolean;
}

export interface OperationsService {
  /** Database reachable, the entry cache's NOTIFY listener alive, the last run of each job. */
  health(): Promise<HealthBody>;
  /** The registry's metrics in the Prometheus text format. */
  metricsText(): Promise<{ contentType: string; body: string }>;
}

export function createOperationsService(deps: {
  db: Knex;
  metrics: PluginMetrics;
  /** The entry cache's listener: trusted only while its heartbeat comes back. */
  entryListener: () => { live: boolean };
  jobs: () => { lastRuns(): Promise<JobRunView[]>; enabledJobs(): string[] };
  databaseTimeoutMs?: number;
}): OperationsService {
  const timeoutMs = deps.databaseTimeoutMs ?? 2000;

  async function database(): Promise<HealthBody['database']> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.db.raw('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async health() {
      const db = await database();
      const enabled = new Set(deps.jobs().enabledJobs());
      const runs = db.ok ? await deps.jobs().lastRuns().catch(() => []) : [];
      const live = deps.entryListener().live;
      return {
        // Without the database nothing works; without the listener entries come from the database.
        status: !db.ok ? 'down' : live ? 'ok' : 'degraded',
        database: db,
        entryListener: { live },
        jobs: runs.map((run) => ({
          id: run.jobId,
          enabled: enabled.has(run.jobId),
          running: run.running,
          lastStartedAt: run.startedAt?.toISOString() ?? null,
          lastFinishedAt: run.finishedAt?.toISOString() ?? null,
          lastOutcome: run.outcome,
        })),
      };
    },

    async metricsText() {
      return { contentType: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() };
    },
  };
}
