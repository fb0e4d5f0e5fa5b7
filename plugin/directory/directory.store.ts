import type { Knex } from 'knex';
import type { HostBranch, HostStore } from '../host/adapter.js';
import type { BranchItem } from '../contract/index.js';
import { whereInScope, type Scope } from '../access/scope.js';

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** Knex only: reads and writes of the mirrored directory. Every read takes a scope. */
export function createDirectoryStore(db: Knex) {
  return {
    async upsertBranches(trx: Knex.Transaction, branches: HostBranch[]): Promise<UpsertCounts> {
      if (!branches.length) return { inserted: 0, updated: 0 };
      const rows = await trx.raw<{ rows: { inserted: boolean }[] }>(
        `INSERT INTO wss_branches (id, name, active, synced_at)
         SELECT b.id, b.name, true, now() FROM unnest(?::text[], ?::text[]) AS b(id, name)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = true, synced_at = now()
           WHERE (wss_branches.name, wss_branches.active) IS DISTINCT FROM (excluded.name, true)
         RETURNING (xmax = 0) AS inserted`,
        [branches.map((b) => b.id), branches.map((b) => b.name)],
      );
      return countUpserts(rows.rows);
    },

    async deactivateMissingBranches(trx: Knex.Transaction, seenIds: string[]): Promise<number> {
      return trx('wss_branches').where('active', true).whereNotIn('id', seenIds).update({ active: false, synced_at: trx.fn.now() });
    },

    async createSeenTable(trx: Knex.Transaction): Promise<void> {
      await trx.raw('CREATE TEMP TABLE wss_seen_stores (id text PRIMARY KEY) ON COMMIT DROP');
    },

    async upsertStores(trx: Knex.Transaction, stores: HostStore[]): Promise<UpsertCounts> {
      if (!stores.length) return { inserted: 0, updated: 0 };
      const ids = stores.map((s) => s.id);
      await trx.raw('INSERT INTO wss_seen_stores (id) SELECT unnest(?::text[]) ON CONFLICT DO NOTHING', [ids]);
      const result = await trx.raw<{ rows: { inserted: boolean }[] }>(
        `INSERT INTO wss_stores (id, branch_id, name, is_open, closed_at, closed_reason, synced_at)
         SELECT s.id, s.branch_id, s.name, s.is_open,
                CASE WHEN s.is_open THEN NULL ELSE now() END,
                CASE WHEN s.is_open THEN NULL ELSE 'host' END,
                now()
         FROM unnest(?::text[], ?::text[], ?::text[], ?::boolean[]) AS s(id, branch_id, name, is_open)
         ON CONFLICT (id) DO UPDATE SET
           branch_id = excluded.branch_id,
           name = excluded.name,
           is_open = excluded.is_open,
           closed_at = CASE WHEN excluded.is_open THEN NULL
                            ELSE coalesce(wss_stores.closed_at, now()) END,
           closed_reason = CASE WHEN excluded.is_open THEN NULL ELSE 'host' END,
           synced_at = now()
         WHERE (wss_stores.branch_id, wss_stores.name, wss_stores.is_open, wss_stores.closed_reason)
               IS DISTINCT FROM (excluded.branch_id, excluded.name, excluded.is_open,
                                 CASE WHEN excluded.is_open THEN NULL ELSE 'host' END)
         RETURNING (xmax = 0) AS inserted`,
        [ids, stores.map((s) => s.branchId), stores.map((s) => s.name), stores.map((s) => s.isOpen)],
      );
      return countUpserts(result.rows);
    },

    /**
     * Keeps the store → branch history of these stores: a store seen for the first time belongs to
     * its branch since the beginning of time (its earlier events count there); a store whose branch
     * changed closes its open row at `today` and opens one from `today`. A second move on the same
     * day rewrites that day's row. Returns the stores seen for the first time.
     */
    async recordBranches(trx: Knex.Transaction, storeIds: string[], today: string): Promise<{ firstSeen: string[]; moved: string[] }> {
      if (!storeIds.length) return { firstSeen: [], moved: [] };
      const sameDay = await trx.raw<{ rows: { store_id: string }[] }>(
        `UPDATE wss_store_branch_history h SET branch_id = s.branch_id FROM wss_stores s
         WHERE s.id = h.store_id AND h.store_id = ANY(?) AND h.valid_to IS NULL AND h.valid_from = ?::date
           AND h.branch_id <> s.branch_id
         RETURNING h.store_id`,
        [storeIds, today],
      );
      const closed = await trx.raw<{ rows: { store_id: string }[] }>(
        `UPDATE wss_store_branch_history h SET valid_to = ?::date FROM wss_stores s
         WHERE s.id = h.store_id AND h.store_id = ANY(?) AND h.valid_to IS NULL AND h.valid_from < ?::date
           AND h.branch_id <> s.branch_id
         RETURNING h.store_id`,
        [today, storeIds, today],
      );
      const opened = await trx.raw<{ rows: { store_id: string; first: boolean }[] }>(
        `INSERT INTO wss_store_branch_history (store_id, valid_from, branch_id)
         SELECT s.id,
                CASE WHEN EXISTS (SELECT 1 FROM wss_store_branch_history o WHERE o.store_id = s.id) THEN ?::date ELSE '-infinity'::date END,
                s.branch_id
         FROM wss_stores s
         WHERE s.id = ANY(?) AND NOT EXISTS (SELECT 1 FROM wss_store_branch_history h WHERE h.store_id = s.id AND h.valid_to IS NULL)
         ORDER BY s.id
         RETURNING store_id, valid_from = '-infinity'::date AS first`,
        [today, storeIds],
      );
      return {
        firstSeen: opened.rows.filter((r) => r.first).map((r) => r.store_id),
        moved: [...sameDay.rows, ...closed.rows].map((r) => r.store_id),
      };
    },

    /**
     * Days with events of stores the directory has just learnt of: events can reach the tracking
     * table before the store does (a confirmed add from WeCom), and those days need rolling up again.
     */
    async markDaysOfStoresDirty(trx: Knex.Transaction, storeIds: string[]): Promise<number> {
      if (!storeIds.length) return 0;
      const result = await trx.raw<{ rowCount: number }>(
        `INSERT INTO wss_metrics_dirty_days (day)
         SELECT DISTINCT day FROM wss_tracking_events WHERE store_id = ANY(?) ORDER BY day
         ON CONFLICT (day) DO NOTHING`,
        [storeIds],
      );
      return result.rowCount;
    },

    /** Stores the host no longer lists are closed, never deleted: history and metrics keep them. */
    async closeUnseenStores(trx: Knex.Transaction): Promise<string[]> {
      const rows = await trx('wss_stores')
        .where('is_open', true)
        .whereNotExists(trx('wss_seen_stores').whereRaw('wss_seen_stores.id = wss_stores.id'))
        .update({ is_open: false, closed_at: trx.fn.now(), closed_reason: 'missing', synced_at: trx.fn.now() })
        .returning('id');
      return rows.map((r: { id: string }) => r.id);
    },

    /** Closed stores whose customer entry is still shown (they must hide). */
    async closedStoresStillShown(trx: Knex.Transaction): Promise<string[]> {
      return trx('wss_stores as s')
        .join('wss_store_entries as e', 'e.store_id', 's.id')
        .where('s.is_open', false)
        .andWhere('e.visible', true)
        .pluck('s.id');
    },

    async listBranches(scope: Scope): Promise<BranchItem[]> {
      const query = db('wss_branches as b')
        .select('b.id', 'b.name', 'b.active')
        .select(db.raw('(SELECT count(*)::int FROM wss_stores s WHERE s.branch_id = b.id AND s.is_open) AS "openStores"'))
        .orderBy('b.id');
      return whereInScope(query, scope, 'b.id');
    },
  };
}

function countUpserts(rows: { inserted: boolean }[]): UpsertCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;
