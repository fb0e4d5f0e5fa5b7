import type { Knex } from 'knex';

export interface EntryRow {
  storeId: string;
  storeName: string;
  isOpen: boolean;
  visible: boolean;
  version: number;
}

/**
 * Knex only. The entry is public and read per store id (there is no actor to scope by): nothing but
 * the visibility and the store's public name leaves this query.
 */
export function createEntryStore(db: Knex) {
  return {
    async readEntry(storeId: string): Promise<EntryRow | null> {
      const { rows } = await db.raw<{ rows: EntryRow[] }>(
        `SELECT s.id AS "storeId", s.name AS "storeName", s.is_open AS "isOpen",
                coalesce(e.visible, false) AS visible, coalesce(e.version, 0) AS version
         FROM wss_stores s LEFT JOIN wss_store_entries e ON e.store_id = s.id
         WHERE s.id = ?`,
        [storeId],
      );
      return rows[0] ?? null;
    },
  };
}

export type EntryStore = ReturnType<typeof createEntryStore>;
