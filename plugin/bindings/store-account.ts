import type { Knex } from 'knex';
import type { PluginMetrics } from '../core/metrics.js';
import { activeBindingSql, servingUseridSql, usableAccountSql } from '../core/serving.js';
import type { StoreAccountBody } from '../contract/index.js';

export interface StoreAccountLookup {
  /** The store's serving account and live code (cached); null for a store the directory does not know. */
  get(storeId: string): Promise<{ branchId: string; body: StoreAccountBody } | null>;
  /** Forgets every cached answer (after a binding change committed in this process). */
  invalidate(): void;
}

interface Row {
  branch_id: string;
  is_open: boolean;
  userid: string | null;
  name: string | null;
  role: 'primary' | 'backup' | null;
  usable: boolean | null;
  config_id: string | null;
  qr_code: string | null;
  state: string | null;
}

/**
 * Other host features ask "who serves this store" on their own hot paths (order pages, CRM
 * cards): answers are kept per process for `ttlMs`, dropped at once when a binding changes here;
 * another process's change is seen within `ttlMs`.
 */
export function createStoreAccountLookup(deps: { db: Knex; ttlMs: number; maxEntries: number; metrics: PluginMetrics }): StoreAccountLookup {
  const cache = new Map<string, { value: { branchId: string; body: StoreAccountBody } | null; expiresAt: number }>();
  const hit = deps.metrics.storeAccountCache.labels({ result: 'hit' });
  const miss = deps.metrics.storeAccountCache.labels({ result: 'miss' });
  let generation = 0;

  async function read(storeId: string) {
    const { rows } = await deps.db.raw<{ rows: Row[] }>(
      `SELECT s.branch_id, s.is_open, a.userid, a.name, sa.role, ${usableAccountSql('a')} AS usable, lc.config_id, lc.qr_code, lc.state
         FROM wss_stores s
         LEFT JOIN wss_wecom_accounts a ON a.userid = ${servingUseridSql('s')}
         LEFT JOIN wss_store_accounts sa ON sa.store_id = s.id AND sa.account_id = a.id AND ${activeBindingSql('sa')}
         LEFT JOIN wss_store_live_codes lc ON lc.store_id = s.id
        WHERE s.id = ?`,
      [storeId],
    );
    const row = rows[0];
    if (!row) return null;
    const bound = row.userid !== null && row.role !== null;
    const body: StoreAccountBody = {
      storeId,
      served: row.is_open && bound && row.usable === true,
      account: bound ? { userid: row.userid!, name: row.name, role: row.role!, usable: row.usable === true } : null,
      liveCode: row.config_id ? { configId: row.config_id, qrCode: row.qr_code, state: row.state! } : null,
    };
    return { branchId: row.branch_id, body };
  }

  return {
    async get(storeId) {
      const now = Date.now();
      const slot = cache.get(storeId);
      if (slot && now < slot.expiresAt) {
        hit.inc();
        return slot.value;
      }
      miss.inc();
      const before = generation;
      const value = await read(storeId);
      // A read that raced a change is answered but not kept.
      if (before === generation) {
        if (cache.size >= deps.maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(storeId, { value, expiresAt: now + deps.ttlMs });
      }
      return value;
    },
    invalidate() {
      generation += 1;
      cache.clear();
    },
  };
}
