import cron, { type ScheduledTask } from 'node-cron';
import type { Knex } from 'knex';
import type { Logger } from '../plugin/core/logger.js';
import { LOCKS, lockId } from '../plugin/core/locks.js';

export type JobOutcome = 'ok' | 'failed' | 'timeout' | 'skipped_locked';

/** A feature's job with its schedule (manifest defaults, overridden by the host's `jobs.<id>` config). */
export interface ScheduledJob {
  id: string;
  cron: string;
  enabled: boolean;
  timeoutMs: number;
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
  /** Runs one job now under the same cross-process lock as a scheduled run. */
  runNow(jobId: string): Promise<JobRunResult>;
  /** Every job the features declare, enabled or not. */
  declaredJobs(): string[];
  enabledJobs(): string[];
}

/**
 * Schedules the features' jobs with node-cron in the configured time zone. Every run takes a
 * Postgres advisory lock on its own connection, so several host processes never run a job at once.
 * A run that outlives its timeout is aborted, and the lock is held until it has really stopped.
 */
export function createJobScheduler(deps: { db: Knex; logger: Logger; timezone: string; jobs: readonly ScheduledJob[] }): JobScheduler {
  const { db, logger } = deps;
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<unknown>>();

  async function runLocked(job: ScheduledJob): Promise<JobRunResult> {
    const connection = await db.client.acquireConnection();
    try {
      const { rows } = await connection.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [lockId(LOCKS.job(job.id))]);
      if (!rows[0].locked) return { outcome: 'skipped_locked' };
      await db('wss_job_runs')
        .insert({ job_id: job.id, started_at: new Date(), finished_at: null, outcome: null, detail: null })
        .onConflict('job_id')
        .merge();
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error(`timed out after ${job.timeoutMs} ms`));
      }, job.timeoutMs);
      let outcome: JobOutcome = 'ok';
      let result: unknown;
      let error: string | undefined;
      try {
        // Awaited to the end even after a timeout: the lock must not be released while it still runs.
        result = await job.run(controller.signal);
        if (timedOut) outcome = 'timeout';
      } catch (err) {
        outcome = timedOut ? 'timeout' : 'failed';
        error = err instanceof Error ? err.message : String(err);
      } finally {
        clearTimeout(timer);
      }
      if (outcome !== 'ok') {
        error ??= `timed out after ${job.timeoutMs} ms`;
        logger.error(`job ${job.id} ${outcome}`, { error });
      }
      await db('wss_job_runs')
        .where('job_id', job.id)
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
    declaredJobs: () => deps.jobs.map((j) => j.id),
    enabledJobs: () => deps.jobs.filter((j) => j.enabled).map((j) => j.id),
    start() {
      for (const job of deps.jobs) {
        if (!job.enabled) continue;
        tasks.push(
          cron.schedule(job.cron, () => track(runLocked(job)).then(() => undefined), {
            name: `wss:${job.id}`,
            timezone: deps.timezone,
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
      const job = deps.jobs.find((j) => j.id === jobId);
      if (!job) throw new Error(`unknown job ${jobId}`);
      return track(runLocked(job));
    },
  };
}
