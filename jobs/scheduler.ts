import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import type { PluginConfig } from '../plugin/config.js';
import type { Logger } from '../plugin/logger.js';
import type { PluginManifest } from '../plugin/manifest/manifest.js';
import type { PluginServices } from '../plugin/services.js';
import { jobDefinitions, type JobDefinition } from './definitions.js';

export type JobOutcome = 'ok' | 'failed' | 'timeout' | 'skipped_locked';

export interface JobScheduler {
  start(): void;
  stop(): Promise<void>;
  /** Runs one job now under the same cross-process lock as a scheduled run. */
  runNow(jobId: string): Promise<{ outcome: JobOutcome; result?: unknown; error?: string }>;
  enabledJobs(): string[];
}

/**
 * Schedules the manifest's jobs with node-cron (Asia/Shanghai by default). Every run takes a
 * Postgres advisory lock on its own connection, so several host processes never run a job twice.
 */
export function createJobScheduler(deps: {
  db: Knex;
  config: PluginConfig;
  manifest: PluginManifest;
  services: PluginServices;
  logger: Logger;
}): JobScheduler {
  const { db, config, manifest, services, logger } = deps;
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();

  const declared = (id: string) => {
    const job = manifest.jobs.find((j) => j.id === id);
    if (!job) throw new Error(`job ${id} is not declared in manifest.json`);
    const settings = config.jobs[id] ?? {};
    return {
      cron: settings.cron ?? job.cron,
      enabled: settings.enabled ?? job.defaultEnabled,
      timeoutMs: settings.timeoutMs ?? job.timeoutMs,
    };
  };

  async function runLocked(definition: JobDefinition) {
    const { timeoutMs } = declared(definition.id);
    const connection = await db.client.acquireConnection();
    const lockKey = `wss:job:${definition.id}`;
    try {
      const { rows } = await connection.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockKey]);
      if (!rows[0].locked) {
        return { outcome: 'skipped_locked' as const };
      }
      const startedAt = new Date();
      await db('wss_job_runs')
        .insert({ job_id: definition.id, started_at: startedAt, finished_at: null, outcome: null, detail: null })
        .onConflict('job_id')
        .merge();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { timeout: true }));
        }, timeoutMs);
      });
      let outcome: JobOutcome = 'ok';
      let result: unknown;
      let error: string | undefined;
      try {
        result = await Promise.race([definition.run(services, controller.signal), timeout]);
      } catch (err) {
        outcome = (err as { timeout?: boolean }).timeout ? 'timeout' : 'failed';
        error = err instanceof Error ? err.message : String(err);
        logger.error(`job ${definition.id} ${outcome}`, { error });
      } finally {
        clearTimeout(timer);
      }
      await db('wss_job_runs')
        .where('job_id', definition.id)
        .update({ finished_at: db.fn.now(), outcome, detail: error ?? JSON.stringify(result ?? null).slice(0, 2000) });
      return { outcome, result, error };
    } finally {
      await connection.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await db.client.releaseConnection(connection);
    }
  }

  const track = <T>(promise: Promise<T>) => {
    running.add(promise);
    void promise.finally(() => running.delete(promise));
    return promise;
  };

  return {
    enabledJobs: () => jobDefinitions.filter((j) => declared(j.id).enabled).map((j) => j.id),
    start() {
      for (const definition of jobDefinitions) {
        const { cron: expression, enabled } = declared(definition.id);
        if (!enabled) continue;
        tasks.push(
          cron.schedule(expression, () => track(runLocked(definition)).then(() => undefined), {
            name: `wss:${definition.id}`,
            timezone: config.timezone,
            noOverlap: true,
          }),
        );
      }
    },
    async stop() {
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.allSettled([...running]);
    },
    runNow(jobId) {
      const definition = jobDefinitions.find((j) => j.id === jobId);
      if (!definition) throw new Error(`unknown job ${jobId}`);
      return track(runLocked(definition));
    },
  };
}
