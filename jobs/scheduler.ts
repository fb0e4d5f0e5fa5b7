import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import type { Logger } from '../plugin/core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../plugin/core/metrics.js';
import { createJobLeases, type JobLeases, type JobRunRecord } from './job-leases.js';

export type { JobRunRecord } from './job-leases.js';

/**
 * `skipped_locked`: another process holds the job's lease (it is running there). `skipped_tick_done`:
 * another process already started this scheduled tick. `skipped_unavailable`: the database could not
 * be reached to claim the run; the next tick tries again.
 */
export type JobOutcome = 'ok' | 'failed' | 'timeout' | 'skipped_locked' | 'skipped_tick_done' | 'skipped_unavailable';

/** A feature's job with its schedule (manifest defaults, overridden by the host's `jobs.<id>` config). */
export interface ScheduledJob {
  id: string;
  cron: string;
  enabled: boolean;
  timeoutMs: number;
  /** This job's lease; default the scheduler's. */
  leaseMs?: number;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface JobRunResult {
  outcome: JobOutcome;
  result?: unknown;
  error?: string;
}

export interface JobScheduler {
  start(): void;
  stop(): Promise<void>;
  /** Runs one job now under the same cross-process lease as a scheduled run (no tick). */
  runNow(jobId: string): Promise<JobRunResult>;
  /** Every job the features declare, enabled or not. */
  declaredJobs(): string[];
  enabledJobs(): string[];
  /** The last run of every job, as the lease rows record it across processes. */
  lastRuns(): Promise<JobRunRecord[]>;
}

export interface JobSchedulerDeps {
  db: Knex;
  logger: Logger;
  timezone: string;
  jobs: readonly ScheduledJob[];
  /** How long a run's lease lasts without renewal (renewed every third of it while the run lasts); default 30 s. */
  leaseMs?: number;
  /** Names this process in the lease; default host:pid:random. */
  owner?: string;
  metrics?: PluginMetrics;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Schedules the features' jobs with node-cron in the configured time zone. A run first claims the
 * job's lease row and its tick in one statement (jobs/job-leases.ts): several host processes never
 * run a job at once, a tick runs once even when one process fires it late, and it works through a
 * transaction pooler. A run that outlives its timeout is aborted; its lease is renewed until it has
 * really stopped. Nothing here rejects: a database outage skips ticks (logged once) until it is back.
 */
export function createJobScheduler(deps: JobSchedulerDeps): JobScheduler {
  const { logger } = deps;
  const metrics = deps.metrics ?? detachedMetrics();
  const defaultLeaseMs = deps.leaseMs ?? 30_000;
  const leases: JobLeases = createJobLeases(deps.db, deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`);
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();
  let unavailableSince: number | null = null;

  function databaseDown(jobId: string, error: unknown) {
    if (unavailableSince === null) {
      unavailableSince = Date.now();
      logger.warn('jobs cannot reach the database; ticks are skipped until it is back', { job: jobId, error: errorText(error) });
    }
  }

  function databaseUp() {
    if (unavailableSince === null) return;
    logger.info('jobs reach the database again', { downForMs: Date.now() - unavailableSince });
    unavailableSince = null;
  }

  /** Records the outcome and frees the lease; retried briefly, else the lease expires by itself. */
  async function finish(job: ScheduledJob, outcome: JobOutcome, detail: string) {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      try {
        await leases.release(job.id, outcome, detail);
        return;
      } catch (error) {
        if (attempt === 3) logger.warn(`job ${job.id} outcome could not be recorded; its lease expires by itself`, { error: errorText(error) });
        else await sleep(500 * 2 ** attempt);
      }
    }
  }

  async function runClaimed(job: ScheduledJob, tick: Date | null): Promise<JobRunResult> {
    const leaseMs = job.leaseMs ?? defaultLeaseMs;
    let claim: Awaited<ReturnType<JobLeases['claim']>>;
    try {
      claim = await leases.claim(job.id, tick, leaseMs);
    } catch (error) {
      databaseDown(job.id, error);
      return { outcome: 'skipped_unavailable', error: errorText(error) };
    }
    databaseUp();
    if (claim !== 'claimed') return { outcome: claim === 'tick_done' ? 'skipped_tick_done' : 'skipped_locked' };

    const renew = setInterval(() => {
      leases.renew(job.id, leaseMs).then(
        (held) => held || logger.warn(`job ${job.id} lost its lease (this process stalled longer than the lease)`),
        (error: unknown) => logger.debug(`job ${job.id} lease renewal failed`, { error: errorText(error) }),
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    const controller = new AbortController();
    const stopTimer = metrics.jobDuration.startTimer({ job: job.id });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${job.timeoutMs} ms`));
    }, job.timeoutMs);
    let outcome: JobOutcome = 'ok';
    let result: unknown;
    let error: string | undefined;
    try {
      // Awaited to the end even after a timeout: the lease must not be released while it still runs.
      result = await job.run(controller.signal);
      if (timedOut) outcome = 'timeout';
    } catch (err) {
      outcome = timedOut ? 'timeout' : 'failed';
      error = errorText(err);
    } finally {
      clearTimeout(timer);
      clearInterval(renew);
      stopTimer();
    }
    if (outcome !== 'ok') {
      error ??= `timed out after ${job.timeoutMs} ms`;
      logger.error(`job ${job.id} ${outcome}`, { jobId: job.id, error });
    }
    let detail: string;
    try {
      detail = error ?? JSON.stringify(result ?? null).slice(0, 2000);
    } catch {
      detail = 'null';
    }
    await finish(job, outcome, detail);
    return { outcome, result, error };
  }

  /** Never rejects: whatever goes wrong is logged, and the host keeps running. */
  function track(promise: Promise<JobRunResult>, job: ScheduledJob): Promise<JobRunResult> {
    const safe = promise.catch((err: unknown): JobRunResult => {
      logger.error(`job ${job.id} failed unexpectedly`, { error: errorText(err) });
      return { outcome: 'failed', error: errorText(err) };
    });
    running.add(safe);
    void safe.then((run) => {
      running.delete(safe);
      metrics.jobRuns.inc({ job: job.id, outcome: run.outcome });
    });
    return safe;
  }

  return {
    declaredJobs: () => deps.jobs.map((j) => j.id),
    enabledJobs: () => deps.jobs.filter((j) => j.enabled).map((j) => j.id),
    lastRuns: () => leases.lastRuns(),
    start() {
      for (const job of deps.jobs) {
        if (!job.enabled) continue;
        tasks.push(
          cron.schedule(
            job.cron,
            // node-cron passes the scheduled time of the tick, the same in every process.
            (context) => track(runClaimed(job, context.date), job).then(() => undefined),
            { name: `wss:${job.id}`, timezone: deps.timezone, noOverlap: true },
          ),
        );
      }
    },
    async stop() {
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.allSettled([...running]);
    },
    runNow(jobId) {
      const job = deps.jobs.find((j) => j.id === jobId);
      if (!job) throw new Error(`unknown job ${jobId}`);
      return track(runClaimed(job, null), job);
    },
  };
}
