import type { Knex } from 'knex';
import type { Author } from '../core/audit.js';
import { usableAccountsOfStoreSql } from '../core/serving.js';
import { whereInScope, type Scope } from '../access/scope.js';

export interface EntryState {
  storeId: string;
  storeName: string;
  branchId: string;
  isOpen: boolean;
  visible: boolean;
  reason: string | null;
  hiddenAutomatically: string | null;
  version: number;
  /** Active primary/backup accounts WeCom has not reported disabled or gone. */
  usableAccounts: number;
}

export interface EntryWrite {
  storeId: string;
  visible: boolean;
  reason: string | null;
  hiddenAutomatically: string | null;
}

/** Knex only: the per-store entry rows (no row = hidden, version 0). */
export function createEntriesStore() {
  return {
    /** Entry state of the stores in scope, locking the store rows. */
    async states(knex: Knex, storeIds: string[], scope: Scope): Promise<Map<string, EntryState>> {
      if (!storeIds.length) return new Map();
      const query = knex('wss_stores as s')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id')
        .whereIn('s.id', storeIds)
        .select(
          's.id as storeId',
          's.name as storeName',
          's.branch_id as branchId',
          's.is_open as isOpen',
          knex.raw('coalesce(e.visible, false) AS visible'),
          'e.reason',
          'e.hidden_automatically as hiddenAutomatically',
          knex.raw('coalesce(e.version, 0) AS version'),
          knex.raw(`${usableAccountsOfStoreSql('s')} AS "usableAccounts"`),
        )
        .orderBy('s.id')
        .forUpdate('s');
      whereInScope(query, scope, 's.branch_id');
      const rows = (await query) as EntryState[];
      return new Map(rows.map((r) => [r.storeId, r]));
    },

    /** Writes entry rows; every write bumps `version` (the customer path's ETag). */
    async write(knex: Knex, rows: EntryWrite[], by: Author): Promise<void> {
      if (!rows.length) return;
      await knex.raw(
        `INSERT INTO wss_store_entries (store_id, visible, reason, hidden_automatically, changed_at, changed_by, version)
         SELECT r.store_id, r.visible, r.reason, r.hidden, now(), ?, 1
         FROM unnest(?::text[], ?::boolean[], ?::text[], ?::text[]) AS r(store_id, visible, reason, hidden)
         ON CONFLICT (store_id) DO UPDATE SET visible = excluded.visible, reason = excluded.reason,
           hidden_automatically = excluded.hidden_automatically, changed_at = now(), changed_by = excluded.changed_by,
           version = wss_store_entries.version + 1`,
        [by.id, rows.map((r) => r.storeId), rows.map((r) => r.visible), rows.map((r) => r.reason), rows.map((r) => r.hiddenAutomatically)] as Knex.RawBinding[],
      );
    },
  };
}

export type EntriesStore = ReturnType<typeof createEntriesStore>;
