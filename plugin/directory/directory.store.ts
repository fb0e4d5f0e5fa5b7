import type { Knex } from 'knex';
import type { Actor, HostBranch, HostStore } from '../host/adapter.js';
import { whereInScope } from '../access/access.js';

export interface StoreListFilter extends StoreFilter {
  page: number;
  pageSize: number;
}

export interface StoreRow {
  id: string;
  name: string;
  branchId: string;
  branchName: string;
  isOpen: boolean;
  bound: boolean;
  primaryUserid: string | null;
  primaryName: string | null;
  activeAccounts: number;
  visible: boolean;
  entryReason: string | null;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** Knex only: reads and writes of the mirrored directory. Every read takes the actor's scope. */
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

    async listBranches(actor: Actor) {
      const query = db('wss_branches as b')
        .select('b.id', 'b.name', 'b.active')
        .select(db.raw('(SELECT count(*)::int FROM wss_stores s WHERE s.branch_id = b.id AND s.is_open) AS "openStores"'))
        .orderBy('b.id');
      return whereInScope(query, actor, 'b.id');
    },

    async branchExists(branchId: string): Promise<boolean> {
      return Boolean(await db('wss_branches').where('id', branchId).first('id'));
    },

    async listStores(actor: Actor, filter: StoreListFilter): Promise<{ total: number; items: StoreRow[] }> {
      const base = db('wss_stores as s')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id');
      whereStoreMatches(base, db, actor, filter);
      const [{ total }] = await base.clone().count<{ total: string }[]>({ total: '*' });
      // Page the ids first, then describe only the page's rows: deep pages stay as cheap as the first.
      const page = base
        .clone()
        .select('s.id', 's.branch_id')
        .orderBy([{ column: 's.branch_id' }, { column: 's.id' }])
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      const items = await db
        .with('page', page)
        .from('page as p')
        .join('wss_stores as s', 's.id', 'p.id')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id')
        .joinRaw(
          `LEFT JOIN LATERAL (
             SELECT count(*) FILTER (WHERE sa.role IN ('primary', 'backup'))::int AS active_accounts,
                    max(a.userid) FILTER (WHERE sa.role = 'primary') AS primary_userid,
                    max(a.name) FILTER (WHERE sa.role = 'primary') AS primary_name
             FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
             WHERE sa.store_id = s.id AND sa.ended_at IS NULL) AS acc ON true`,
        )
        .select(
          's.id',
          's.name',
          's.branch_id as branchId',
          'b.name as branchName',
          's.is_open as isOpen',
          db.raw('coalesce(e.visible, false) AS visible'),
          'e.reason as entryReason',
          'acc.active_accounts as activeAccounts',
          'acc.primary_userid as primaryUserid',
          'acc.primary_name as primaryName',
        )
        .orderBy([{ column: 'p.branch_id' }, { column: 'p.id' }]);
      return {
        total: Number(total),
        items: items.map((row: Omit<StoreRow, 'bound'>) => ({ ...row, bound: row.activeAccounts > 0 })),
      };
    },
  };
}

export interface StoreFilter {
  branchId?: string;
  bound?: boolean;
  visible?: boolean;
  open?: boolean;
  q?: string;
}

/**
 * The store filters shared by the store list and the binding export, with the actor's scope, pushed
 * into a query over `wss_stores as s` left-joined to `wss_store_entries as e`. "Bound" means an active
 * primary or backup account (a store served only by retired accounts is not bound).
 */
export function whereStoreMatches<T extends Knex.QueryBuilder>(query: T, knex: Knex, actor: Actor, filter: StoreFilter): T {
  whereInScope(query, actor, 's.branch_id');
  if (filter.branchId) query.where('s.branch_id', filter.branchId);
  if (filter.open !== undefined) query.where('s.is_open', filter.open);
  if (filter.visible !== undefined) {
    if (filter.visible) query.where('e.visible', true);
    else query.where((w) => w.whereNull('e.visible').orWhere('e.visible', false));
  }
  if (filter.bound !== undefined) {
    const active = knex('wss_store_accounts as sa')
      .whereRaw('sa.store_id = s.id')
      .whereNull('sa.ended_at')
      .whereIn('sa.role', ['primary', 'backup'])
      .select(knex.raw('1'));
    if (filter.bound) query.whereExists(active);
    else query.whereNotExists(active);
  }
  if (filter.q) {
    const escaped = filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const exact = filter.q;
    query.where((w) =>
      w.where('s.id', exact).orWhereRaw('lower(s.id) LIKE ?', [`${escaped}%`]).orWhereRaw('lower(s.name) LIKE ?', [`%${escaped}%`]),
    );
  }
  return query;
}

function countUpserts(rows: { inserted: boolean }[]): UpsertCounts {
  const inserted = rows.filter((r) => r.inserted).length;
  return { inserted, updated: rows.length - inserted };
}

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;
