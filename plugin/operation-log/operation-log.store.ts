import type { Knex } from 'knex';
import { whereInScope, type Scope } from '../access/scope.js';

export interface OperationLogFilter {
  branchId?: string;
  storeId?: string;
  actorId?: string;
  action?: string;
  /** Calendar days in the configured time zone, inclusive. */
  from?: string;
  to?: string;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actorId: string;
  actorName: string;
  action: string;
  storeId: string | null;
  storeName: string | null;
  branchId: string | null;
  branchName: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

/** Knex only: the audit trail (wss_audit_log) across stores, scoped by the rows' branch. */
export function createOperationLogStore(db: Knex, timezone: string) {
  function filtered(scope: Scope, filter: OperationLogFilter) {
    const q = db('wss_audit_log as l').leftJoin('wss_stores as s', 's.id', 'l.store_id').leftJoin('wss_branches as b', 'b.id', 'l.branch_id');
    // Rows about no branch (account sharing, limits) are HQ's only: a branch scope never matches null.
    whereInScope(q, scope, 'l.branch_id');
    if (filter.branchId) q.where('l.branch_id', filter.branchId);
    if (filter.storeId) q.where('l.store_id', filter.storeId);
    if (filter.actorId) q.where('l.actor_id', filter.actorId);
    if (filter.action) q.where('l.action', filter.action);
    if (filter.from) q.whereRaw('l.at >= (?::date)::timestamp AT TIME ZONE ?', [filter.from, timezone]);
    if (filter.to) q.whereRaw('l.at < ((?::date) + 1)::timestamp AT TIME ZONE ?', [filter.to, timezone]);
    return q;
  }

  const columns = [
    'l.id', 'l.at', 'l.actor_id as actorId', 'l.actor_name as actorName', 'l.action', 'l.store_id as storeId', 's.name as storeName',
    'l.branch_id as branchId', 'b.name as branchName', 'l.before', 'l.after', 'l.reason',
  ];

  return {
    async page(scope: Scope, filter: OperationLogFilter, page: number, pageSize: number): Promise<{ total: number; rows: AuditRecord[] }> {
      const [{ total }] = await filtered(scope, filter).count<{ total: string }[]>({ total: '*' });
      const rows = await filtered(scope, filter)
        .select(columns)
        .orderBy([{ column: 'l.at', order: 'desc' }, { column: 'l.id', order: 'desc' }])
        .limit(pageSize)
        .offset((page - 1) * pageSize);
      return { total: Number(total), rows: rows.map((r: AuditRecord) => ({ ...r, id: String(r.id) })) };
    },

    /** Newest first, keyset-paged by id (exports). */
    async batch(scope: Scope, filter: OperationLogFilter, beforeId: string | null, limit: number): Promise<AuditRecord[]> {
      const q = filtered(scope, filter).select(columns).orderBy('l.id', 'desc').limit(limit);
      if (beforeId) q.where('l.id', '<', beforeId);
      return (await q).map((r: AuditRecord) => ({ ...r, id: String(r.id) }));
    },

    /** Who appears in the scope's log, most recent first. */
    async actors(scope: Scope): Promise<{ id: string; name: string }[]> {
      const q = db('wss_audit_log as l')
        .select('l.actor_id as id', db.raw('(array_agg(l.actor_name ORDER BY l.at DESC))[1] AS name'))
        .groupBy('l.actor_id')
        .orderByRaw('max(l.at) DESC')
        .limit(200);
      return whereInScope(q, scope, 'l.branch_id');
    },

    /** The names of these WeCom accounts. */
    async accountNames(userids: string[]): Promise<Map<string, string>> {
      if (!userids.length) return new Map();
      const rows = await db('wss_wecom_accounts').whereIn('userid', [...new Set(userids)]).select('userid', 'name');
      return new Map(rows.filter((r: { name: string }) => r.name).map((r: { userid: string; name: string }) => [r.userid, r.name]));
    },
  };
}

export type OperationLogStore = ReturnType<typeof createOperationLogStore>;
