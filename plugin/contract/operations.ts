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

/** GET /stores/:storeId/account and `bindings.storeAccount(storeId)`: who serves the store now. */
export interface StoreAccountBody {
  storeId: string;
  /** The store is open and its serving account is an active binding WeCom reports usable. */
  served: boolean;
  /** The account that takes the store's new customers (live code's, else the primary); null when unbound. */
  account: { userid: string; name: string | null; role: 'primary' | 'backup'; usable: boolean } | null;
  /** The store's live code (contact way) customers add through; null before the first bind. */
  liveCode: { configId: string; qrCode: string | null; state: string } | null;
}
