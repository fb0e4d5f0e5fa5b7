import type { Knex } from 'knex';

const TABLE = 'wss_job_runs';

export interface JobLeases {
  /**
   * Claims the job's lease (free, or expired because its holder died) and, for a scheduled run, its
   * tick (later than the last one started), in one statement: no session state, so it works through
   * a transaction pooler. `tick: null` (run now) claims the lease only.
   */
  claim(jobId: string, tick: Date | null, leaseMs: number): Promise<'claimed' | 'locked' | 'tick_done'>;
  /** Extends this owner's lease; false when another process took it over. */
  renew(jobId: string, leaseMs: number): Promise<boolean>;
  /** Records the outcome and frees this owner's lease. */
  release(jobId: string, outcome: string, detail: string): Promise<void>;
  /** The last run of every job that ran, in any process (health). */
  lastRuns(): Promise<JobRunRecord[]>;
}

export interface JobRunRecord {
  jobId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** null while it runs. */
  outcome: string | null;
  running: boolean;
}

export function createJobLeases(db: Knex, owner: string): JobLeases {
  return {
    async claim(jobId, tick, leaseMs) {
      const { rows } = await db.raw<{ rows: unknown[] }>(
        `INSERT INTO ${TABLE} AS r (job_id, started_at, finished_at, outcome, detail, lease_owner, lease_until, last_tick_at)
         VALUES (?, clock_timestamp(), NULL, NULL, NULL, ?, clock_timestamp() + make_interval(secs => ?::float / 1000), ?::timestamptz)
         ON CONFLICT (job_id) DO UPDATE SET started_at = excluded.started_at, finished_at = NULL, outcome = NULL, detail = NULL,
           lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
           last_tick_at = coalesce(excluded.last_tick_at, r.last_tick_at)
         WHERE (r.lease_until IS NULL OR r.lease_until < clock_timestamp())
           AND (excluded.last_tick_at IS NULL OR r.last_tick_at IS NULL OR r.last_tick_at < excluded.last_tick_at)
         RETURNING job_id`,
        [jobId, owner, leaseMs, tick],
      );
      if (rows.length) return 'claimed';
      const row = (await db(TABLE).where('job_id', jobId).first('last_tick_at')) as { last_tick_at: Date | null } | undefined;
      return tick && row?.last_tick_at && row.last_tick_at.getTime() >= tick.getTime() ? 'tick_done' : 'locked';
    },

    async renew(jobId, leaseMs) {
      const updated = await db(TABLE)
        .where({ job_id: jobId, lease_owner: owner })
        .update({ lease_until: db.raw('clock_timestamp() + make_interval(secs => ?::float / 1000)', [leaseMs]) });
      return updated === 1;
    },

    async lastRuns() {
      const rows = (await db(TABLE)
        .select('job_id', 'started_at', 'finished_at', 'outcome', db.raw('coalesce(lease_until > clock_timestamp(), false) AS running'))
        .orderBy('job_id')) as { job_id: string; started_at: Date | null; finished_at: Date | null; outcome: string | null; running: boolean }[];
      return rows.map((r) => ({ jobId: r.job_id, startedAt: r.started_at, finishedAt: r.finished_at, outcome: r.outcome, running: r.running }));
    },

    async release(jobId, outcome, detail) {
      await db(TABLE)
        .where({ job_id: jobId, lease_owner: owner })
        .update({ finished_at: db.raw('clock_timestamp()'), outcome, detail, lease_owner: null, lease_until: null });
    },
  };
}
