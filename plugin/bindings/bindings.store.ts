import type { Knex } from 'knex';
import type { StoreItem } from '../contract/index.js';
import { writeAudit, type AuditEntry, type Author } from '../core/audit.js';
import { activeBindingSql } from '../core/serving.js';
import { whereInScope, type Scope } from '../access/scope.js';
import { whereStoreMatches, type StoreFilter, type StoreListFilter } from './store-filter.js';

export type BindingRole = 'primary' | 'backup' | 'retired';

/** A member starts at 5,000 customers (wss_wecom_accounts.capacity_limit's default). */
const DEFAULT_CAPACITY_LIMIT = 5000;

export interface ActiveBinding {
  /** wss_store_accounts row id. */
  id: string;
  accountId: string;
  userid: string;
  name: string;
  role: BindingRole;
  boundAt: Date;
}

export interface StoreSnapshot {
  id: string;
  name: string;
  branchId: string;
  isOpen: boolean;
  bindings: ActiveBinding[];
}

export interface AccountRow {
  id: string;
  userid: string;
  name: string;
  sharingAllowed: boolean;
}

export interface BoundElsewhere {
  userid: string;
  storeId: string;
  storeName: string;
  branchId: string;
  role: BindingRole;
}

/** Knex only (each call takes the connection or transaction to use): bindings, accounts, audit rows. Store reads take a scope. */
export function createBindingsStore() {
  return {
    /** Stores by id that exist at all, with their branch (to tell "unknown" from "out of scope"). */
    async storeBranches(knex: Knex, storeIds: string[]): Promise<Map<string, { branchId: string; name: string; isOpen: boolean }>> {
      if (!storeIds.length) return new Map();
      const rows = await knex('wss_stores').whereIn('id', storeIds).select('id', 'branch_id', 'name', 'is_open');
      return new Map(rows.map((r) => [r.id as string, { branchId: r.branch_id as string, name: r.name as string, isOpen: r.is_open as boolean }]));
    },

    /**
     * The stores (in the actor's scope) with their active bindings. `lock` takes row locks on the
     * stores so concurrent changes of one store serialise.
     */
    async snapshots(knex: Knex, scope: Scope, storeIds: string[], opts: { lock?: boolean } = {}): Promise<Map<string, StoreSnapshot>> {
      const result = new Map<string, StoreSnapshot>();
      if (!storeIds.length) return result;
      const query = knex('wss_stores as s').whereIn('s.id', storeIds).select('s.id', 's.name', 's.branch_id', 's.is_open').orderBy('s.id');
      whereInScope(query, scope, 's.branch_id');
      if (opts.lock) query.forUpdate();
      for (const r of await query) {
        result.set(r.id, { id: r.id, name: r.name, branchId: r.branch_id, isOpen: r.is_open, bindings: [] });
      }
      if (!result.size) return result;
      const bindings = await knex('wss_store_accounts as sa')
        .join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
        .whereIn('sa.store_id', [...result.keys()])
        .whereNull('sa.ended_at')
        .select('sa.id', 'sa.store_id', 'sa.account_id', 'a.userid', 'a.name', 'sa.role', 'sa.bound_at')
        .orderBy([{ column: 'sa.bound_at' }, { column: 'sa.id' }]);
      for (const b of bindings) {
        result.get(b.store_id)!.bindings.push({
          id: String(b.id),
          accountId: String(b.account_id),
          userid: b.userid,
          name: b.name,
          role: b.role,
          boundAt: b.bound_at,
        });
      }
      return result;
    },

    /** A page of the stores in scope with their binding and entry status (the store list). */
    async listStores(db: Knex, scope: Scope, filter: StoreListFilter): Promise<{ total: number; items: StoreItem[] }> {
      const base = db('wss_stores as s')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id');
      whereStoreMatches(base, scope, filter);
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
             SELECT count(*)::int AS active_accounts,
                    max(a.userid) FILTER (WHERE sa.role = 'primary') AS primary_userid,
                    max(a.name) FILTER (WHERE sa.role = 'primary') AS primary_name
             FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
             WHERE sa.store_id = s.id AND ${activeBindingSql('sa')}) AS acc ON true`,
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
        items: items.map((row: Omit<StoreItem, 'bound'>) => ({ ...row, bound: row.activeAccounts > 0 })),
      };
    },

    async branchExists(knex: Knex, branchId: string): Promise<boolean> {
      return Boolean(await knex('wss_branches').where('id', branchId).first('id'));
    },

    /** Inserts or refreshes accounts with what WeCom said; returns them by userid. */
    async upsertAccounts(knex: Knex, members: { userid: string; name: string; status: number }[]): Promise<Map<string, AccountRow>> {
      if (!members.length) return new Map();
      const { rows } = await knex.raw<{ rows: { id: string; userid: string; name: string; sharing_allowed: boolean }[] }>(
        `INSERT INTO wss_wecom_accounts (userid, name, wecom_status, status_checked_at)
         SELECT m.userid, m.name, m.status, now() FROM unnest(?::text[], ?::text[], ?::smallint[]) AS m(userid, name, status)
         ON CONFLICT (userid) DO UPDATE SET name = excluded.name, wecom_status = excluded.wecom_status,
           status_checked_at = now(), updated_at = now()
         RETURNING id, userid, name, sharing_allowed`,
        [members.map((m) => m.userid), members.map((m) => m.name), members.map((m) => m.status)],
      );
      return new Map(rows.map((r) => [r.userid, { id: String(r.id), userid: r.userid, name: r.name, sharingAllowed: r.sharing_allowed }]));
    },

    async capacityLimit(knex: Knex, accountId: string): Promise<number> {
      return (await knex('wss_wecom_accounts').where('id', accountId).first('capacity_limit')).capacity_limit as number;
    },

    /** The account's limit, or WeCom's default for a member the plugin has not seen yet. */
    async capacityLimitOf(knex: Knex, userid: string): Promise<number> {
      return ((await knex('wss_wecom_accounts').where({ userid }).first('capacity_limit'))?.capacity_limit as number | undefined) ?? DEFAULT_CAPACITY_LIMIT;
    },

    /** The customers WeCom counted at bind time: the live count starts from WeCom's figure. */
    async recordCount(knex: Knex, accountId: string, count: number): Promise<void> {
      await knex('wss_wecom_accounts').where('id', accountId).update({ customer_count: count, counted_at: knex.fn.now(), updated_at: knex.fn.now() });
    },

    /** Locks the accounts (by id order) so two stores never take one account at the same time. */
    async lockAccounts(knex: Knex, accountIds: string[]): Promise<void> {
      if (accountIds.length) await knex('wss_wecom_accounts').whereIn('id', accountIds).orderBy('id').forUpdate().select('id');
    },

    /** Active bindings of these accounts at stores other than the given one(s). */
    async boundElsewhere(knex: Knex, userids: string[]): Promise<BoundElsewhere[]> {
      if (!userids.length) return [];
      return knex('wss_store_accounts as sa')
        .join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
        .join('wss_stores as s', 's.id', 'sa.store_id')
        .whereIn('a.userid', userids)
        .whereNull('sa.ended_at')
        .select('a.userid', 'sa.store_id as storeId', 's.name as storeName', 's.branch_id as branchId', 'sa.role')
        .orderBy('sa.store_id');
    },

    async cachedAccounts(knex: Knex, userids: string[], freshSince: Date) {
      if (!userids.length) return [];
      return knex('wss_wecom_accounts')
        .whereIn('userid', userids)
        .where('status_checked_at', '>=', freshSince)
        .select('userid', 'name', 'wecom_status as status') as Promise<{ userid: string; name: string; status: number }[]>;
    },

    async setSharing(knex: Knex, userid: string, allowed: boolean): Promise<boolean | null> {
      const before = await knex('wss_wecom_accounts').where({ userid }).forUpdate().first('sharing_allowed');
      if (!before) return null;
      await knex('wss_wecom_accounts').where({ userid }).update({ sharing_allowed: allowed, updated_at: knex.fn.now() });
      return before.sharing_allowed as boolean;
    },

    async endBindings(knex: Knex, ends: { id: string; reason: string }[], by: Author): Promise<void> {
      if (!ends.length) return;
      await knex.raw(
        `UPDATE wss_store_accounts sa SET ended_at = now(), ended_by = ?, end_reason = e.reason
         FROM unnest(?::bigint[], ?::text[]) AS e(id, reason) WHERE sa.id = e.id AND sa.ended_at IS NULL`,
        [by.id, ends.map((e) => e.id), ends.map((e) => e.reason)],
      );
    },

    async insertBindings(knex: Knex, rows: { storeId: string; accountId: string; role: BindingRole }[], by: Author): Promise<void> {
      if (!rows.length) return;
      await knex.raw(
        `INSERT INTO wss_store_accounts (store_id, account_id, role, bound_by)
         SELECT r.store_id, r.account_id, r.role, ? FROM unnest(?::text[], ?::bigint[], ?::text[]) AS r(store_id, account_id, role)`,
        [by.id, rows.map((r) => r.storeId), rows.map((r) => r.accountId), rows.map((r) => r.role)],
      );
    },

    insertAudit(knex: Knex, by: Author, entries: AuditEntry[]): Promise<void> {
      return writeAudit(knex, by, entries);
    },

    /** Full binding history of one store, newest first. */
    async bindingHistory(knex: Knex, storeId: string) {
      return knex('wss_store_accounts as sa')
        .join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
        .where('sa.store_id', storeId)
        .select(
          'a.userid',
          'a.name',
          'a.wecom_status as wecomStatus',
          'a.customer_count as customerCount',
          'a.capacity_limit as capacityLimit',
          'sa.role',
          'sa.bound_at as boundAt',
          'sa.bound_by as boundBy',
          'sa.ended_at as endedAt',
          'sa.ended_by as endedBy',
          'sa.end_reason as endReason',
        )
        .orderBy([{ column: 'sa.bound_at', order: 'desc' }, { column: 'sa.id', order: 'desc' }]);
    },

    async auditOfStore(knex: Knex, storeId: string, limit: number) {
      return knex('wss_audit_log')
        .where('store_id', storeId)
        .select('id', 'at', 'actor_id as actorId', 'actor_name as actorName', 'action', 'before', 'after', 'reason')
        .orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }])
        .limit(limit);
    },

    /** Accounts bound to some store, for the WeCom status check. */
    async boundAccounts(knex: Knex) {
      return knex('wss_wecom_accounts as a')
        .whereExists(knex('wss_store_accounts as sa').whereRaw('sa.account_id = a.id').whereNull('sa.ended_at').select(knex.raw('1')))
        .select('a.id', 'a.userid', 'a.wecom_status as status')
        .orderBy('a.id') as Promise<{ id: string; userid: string; status: number | null }[]>;
    },

    async setAccountStatus(knex: Knex, userid: string, status: number, name?: string): Promise<void> {
      await knex('wss_wecom_accounts')
        .where({ userid })
        .update({ wecom_status: status, status_checked_at: knex.fn.now(), updated_at: knex.fn.now(), ...(name ? { name } : {}) });
    },

    /** Stores whose new customers this account takes: its primary bindings and live codes routed to it. */
    async storesServedBy(knex: Knex, userid: string): Promise<string[]> {
      const { rows } = await knex.raw<{ rows: { store_id: string }[] }>(
        `SELECT sa.store_id FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
          WHERE a.userid = ? AND sa.ended_at IS NULL AND sa.role = 'primary'
         UNION
         SELECT store_id FROM wss_store_live_codes WHERE ? = ANY(account_userids)
         ORDER BY 1`,
        [userid, userid],
      );
      return rows.map((r) => r.store_id);
    },

    async sharingOf(knex: Knex, userids: string[]): Promise<Set<string>> {
      if (!userids.length) return new Set();
      return new Set(await knex('wss_wecom_accounts').whereIn('userid', userids).where('sharing_allowed', true).pluck('userid'));
    },

    /** One flat row per store in scope (for exports), ordered, a page at a time. */
    async exportPage(knex: Knex, scope: Scope, filter: StoreFilter, afterId: string | null, limit: number) {
      const active = (role: string) =>
        `(SELECT string_agg(a.userid, ';' ORDER BY sa.bound_at) FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
           WHERE sa.store_id = s.id AND sa.ended_at IS NULL AND sa.role = '${role}')`;
      const query = knex('wss_stores as s')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id')
        .leftJoin('wss_store_live_codes as l', 'l.store_id', 's.id')
        .select(
          's.id',
          's.name',
          's.branch_id as branchId',
          'b.name as branchName',
          's.is_open as isOpen',
          knex.raw(`${active('primary')} AS "primaryUserid"`),
          knex.raw(
            `(SELECT a.name FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
               WHERE sa.store_id = s.id AND sa.ended_at IS NULL AND sa.role = 'primary') AS "primaryName"`,
          ),
          knex.raw(`${active('backup')} AS "backups"`),
          knex.raw(`${active('retired')} AS "retired"`),
          knex.raw('coalesce(e.visible, false) AS visible'),
          'e.reason as entryReason',
          'e.hidden_automatically as hiddenAutomatically',
          'e.changed_at as entryChangedAt',
          'l.state as liveCodeState',
        )
        .orderBy('s.id')
        .limit(limit);
      if (afterId) query.where('s.id', '>', afterId);
      return whereStoreMatches(query, scope, filter);
    },
  };
}

export type BindingsStore = ReturnType<typeof createBindingsStore>;
