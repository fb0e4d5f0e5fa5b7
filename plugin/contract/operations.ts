/** Bodies of the operations routes (health) and of the store-account lookup. */

export interface HealthBody {
  /** `down`: the database does not answer; `degraded`: entries are read from the database (listener not live). */
  status: 'ok' | 'degraded' | 'down';
  database: { ok: boolean; latencyMs: number; error?: string };
  entryListener: { live: boolean };
  jobs: {
    id: string;
    enabled: boolean;
    running: boolean;
    lastStartedAt: string | null;
    lastFinishedAt: string | null;
    /** ok | failed | timeout | skipped_* ; null while it runs. */
    lastOutcome: string | null;
  }[];
}
