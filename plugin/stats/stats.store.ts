import type { Knex } from 'knex';
import { storeBoundOnlyToUnusableSql, storeIsServedSql } from '../core/serving.js';
import type { Scope } from '../access/scope.js';
import type { BranchBinding } from '../contract/index.js';
import { funnelFromStageRows, type FunnelCounts } from './stats.definitions.js';

export interface CapacityAccount {
  userid: string;
  name: string;
  customerCount: number;
  capacityLimit: number;
  storeIds: string[];
  storeNames: string[];
}

export interface FlatRow {
  day: string;
  branchId: string;
  branchName: string;
  storeId: string;
  storeName: string;
  isOpen: boolean;
  bound: boolean;
  shown: boolean;
  orderResultVisitors: number;
  entryClickers: number;
  guideVisitors: number;
  addClickers: number;
  confirmedAdds: number;
  guideAdds: number;
  directAdds: number;
}

/**
 * "This store is bound" as the serving rule says: an active primary or backup binding to an account
 * WeCom reports usable (retired bindings and disabled or gone accounts do not count).
 */
const SERVED_SQL = storeIsServedSql('s');
const UNUSABLE_ONLY_SQL = storeBoundOnlyToUnusableSql('s');
/** The branch of store `s` on day `d.day` (store → branch history; the current branch if none). */
const BRANCH_ON_DAY_SQL = `coalesce((SELECT h.branch_id FROM wss_store_branch_history h WHERE h.store_id = s.id
  AND d.day::date >= h.valid_from AND (h.valid_to IS NULL OR d.day::date < h.valid_to)), s.branch_id)`;

/** Knex only: metric reads. Every read takes a scope and pushes it into the query. */
export function createMetricsStore(db: Knex) {
  /** Adds the scope to a query on a branch column. */
  const scoped = <T extends Knex.QueryBuilder>(query: T, scope: Scope, column: string): T =>
    scope.kind === 'all' ? query : (query.whereIn(column, [...scope.branchIds]) as T);

  /** The precomputed first-visit rows answer for everything or for one branch. */
  const firstVisitUnit = (scope: Scope) =>
    scope.kind === 'all' ? { level: 'all', unit: '' } : scope.branchIds.length === 1 ? { level: 'branch', unit: scope.branchIds[0] } : null;

  return {
    /**
     * Distinct visitors per stage within [from, to]. Everything or one branch: sum of first-visit rows
     * (each visitor counted on their first day inside the period). Several branches: an exact
     * distinct over the rollup facts, since a visitor may appear in more than one of them.
     */
    async periodFunnel(scope: Scope, from: string, to: string): Promise<FunnelCounts> {
      const unit = firstVisitUnit(scope);
      if (unit) {
        const rows = await db('wss_metrics_first_visits')
          .select('stage')
          .sum({ n: 'visitors' })
          .where(unit)
          .whereBetween('day', [from, to])
          .where('prev_day', '<', from)
          .groupBy('stage');
        return funnelFromStageRows(rows);
      }
      const rows = await scoped(
        db('wss_metrics_visitor_days').select('stage').countDistinct({ n: 'visitor' }).whereBetween('day', [from, to]).groupBy('stage'),
        scope,
        'branch_id',
      );
      return funnelFromStageRows(rows);
    },

    /** Period-distinct funnel of each branch in scope (a visitor counts once per branch). */
    async periodFunnelByBranch(scope: Scope, from: string, to: string): Promise<Map<string, FunnelCounts>> {
      const rows = await scoped(
        db('wss_metrics_first_visits')
          .select('unit', 'stage')
          .sum({ n: 'visitors' })
          .where('level', 'branch')
          .whereBetween('day', [from, to])
          .where('prev_day', '<', from)
          .groupBy('unit', 'stage'),
        scope,
        'unit',
      );
      const byBranch = new Map<string, { stage: number; n: number }[]>();
      for (const row of rows as { unit: string; stage: number; n: string }[]) {
        const list = byBranch.get(row.unit) ?? [];
        list.push({ stage: row.stage, n: Number(row.n) });
        byBranch.set(row.unit, list);
      }
      return new Map([...byBranch].map(([branchId, list]) => [branchId, funnelFromStageRows(list)]));
    },

    /** Distinct visitors per stage of each day (a daily distinct, for trends). */
    async dailyFunnel(scope: Scope, from: string, to: string): Promise<Map<string, FunnelCounts>> {
      const unit = firstVisitUnit(scope);
      const rows: { day: string; stage: number; n: string }[] = unit
        ? await db('wss_metrics_first_visits')
            .select(db.raw('day::text AS day'), 'stage')
            .sum({ n: 'visitors' })
            .where(unit)
            .whereBetween('day', [from, to])
            .groupBy('day', 'stage')
        : await scoped(
            db('wss_metrics_visitor_days')
              .select(db.raw('day::text AS day'), 'stage')
              .countDistinct({ n: 'visitor' })
              .whereBetween('day', [from, to])
              .groupBy('day', 'stage'),
            scope,
            'branch_id',
          );
      const byDay = new Map<string, { stage: number; n: string }[]>();
      for (const row of rows) byDay.set(row.day, [...(byDay.get(row.day) ?? []), row]);
      return new Map([...byDay].map(([day, list]) => [day, funnelFromStageRows(list)]));
    },

    /** Period-distinct funnel of one store (exact distinct over its rollup facts). */
    async storeFunnel(storeId: string, from: string, to: string): Promise<FunnelCounts> {
      const rows = await db('wss_metrics_visitor_days')
        .select('stage')
        .countDistinct({ n: 'visitor' })
        .where('store_id', storeId)
        .whereBetween('day', [from, to])
        .groupBy('stage');
      return funnelFromStageRows(rows);
    },

    /** Current binding status of the open stores of each active branch in scope. */
    async bindingByBranch(scope: Scope): Promise<BranchBinding[]> {
      const query = db('wss_branches as b')
        .leftJoin('wss_stores as s', 's.branch_id', 'b.id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 's.id')
        .where('b.active', true)
        .select('b.id as branchId', 'b.name as branchName')
        .select(
          db.raw('(count(s.id) FILTER (WHERE s.is_open))::int AS "openStores"'),
          db.raw(`(count(s.id) FILTER (WHERE s.is_open AND ${SERVED_SQL}))::int AS "boundStores"`),
          db.raw(`(count(s.id) FILTER (WHERE s.is_open AND ${UNUSABLE_ONLY_SQL}))::int AS "unusableOnlyStores"`),
          db.raw('(count(s.id) FILTER (WHERE s.is_open AND e.visible))::int AS "shownStores"'),
        )
        .groupBy('b.id', 'b.name')
        .orderBy('b.id');
      return scoped(query, scope, 'b.id');
    },

    async branchExists(branchId: string): Promise<boolean> {
      return Boolean(await db('wss_branches').where('id', branchId).first('id'));
    },

    async storeBranch(storeId: string): Promise<string | null> {
      const row = await db('wss_stores').where('id', storeId).first('branch_id');
      return row ? (row.branch_id as string) : null;
    },

    /** Accounts serving stores in scope whose customer count reached `threshold` of their capacity. */
    async nearCapacity(scope: Scope, threshold: number, limit: number): Promise<CapacityAccount[]> {
      const query = db('wss_wecom_accounts as a')
        .join('wss_store_accounts as sa', 'sa.account_id', 'a.id')
        .join('wss_stores as s', 's.id', 'sa.store_id')
        .whereNull('sa.ended_at')
        .whereRaw('a.customer_count >= a.capacity_limit * ?::float8', [threshold])
        .select('a.userid', 'a.name', 'a.customer_count as customerCount', 'a.capacity_limit as capacityLimit')
        .select(db.raw('array_agg(DISTINCT s.id ORDER BY s.id) AS "storeIds"'), db.raw('array_agg(DISTINCT s.name) AS "storeNames"'))
        .groupBy('a.id')
        .orderByRaw('a.customer_count::float / a.capacity_limit DESC, a.userid')
        .limit(limit);
      return scoped(query, scope, 's.branch_id');
    },

    /**
     * Ids of the next `limit` stores after `afterId` that belonged to a branch in scope (or to
     * `branchId`) on some day of [from, to]: a store that moved shows in both branches' exports.
     */
    async storeIdsPage(scope: Scope, branchId: string | null, afterId: string | null, limit: number, from: string, to: string): Promise<string[]> {
      const history = db('wss_store_branch_history as h')
        .whereRaw('h.store_id = s.id')
        .where('h.valid_from', '<=', to)
        .where((q) => q.whereNull('h.valid_to').orWhere('h.valid_to', '>', from));
      if (branchId) history.where('h.branch_id', branchId);
      const inHistory = scoped(history, scope, 'h.branch_id');
      // A store without any history row (written by something other than the directory sync) is
      // in its current branch on every day.
      const noHistory = db('wss_store_branch_history as o').whereRaw('o.store_id = s.id').select(db.raw('1'));
      const current = (q: Knex.QueryBuilder) => {
        q.whereNotExists(noHistory);
        if (branchId) q.where('s.branch_id', branchId);
        if (scope.kind !== 'all') q.whereIn('s.branch_id', [...scope.branchIds]);
      };
      const query = db('wss_stores as s').select('s.id').orderBy('s.id').limit(limit)
        .where((q) => q.whereExists(inHistory.select(db.raw('1'))).orWhere(current));
      if (afterId) query.where('s.id', '>', afterId);
      const rows = await query;
      return rows.map((r: { id: string }) => r.id);
    },

    /**
     * One row per store × day for these stores, with the branch the store belonged to that day; only
     * the days in scope (or of `branchId`). Open stores on every day, closed stores only on days
     * they had activity.
     */
    async flatRows(storeIds: string[], from: string, to: string, scope: Scope, branchId: string | null): Promise<FlatRow[]> {
      if (!storeIds.length) return [];
      const branchIds = branchId ? [branchId] : scope.kind === 'all' ? null : [...scope.branchIds];
      const result = await db.raw<{ rows: FlatRow[] }>(
        `SELECT x.* FROM (
           SELECT d.day::date::text AS day, ${BRANCH_ON_DAY_SQL} AS "branchId", s.id AS "storeId",
                  s.name AS "storeName", s.is_open AS "isOpen", ${SERVED_SQL} AS bound,
                  coalesce(e.visible, false) AS shown,
                  coalesce(sd.order_result_visitors, 0) AS "orderResultVisitors",
                  coalesce(sd.entry_clickers, 0) AS "entryClickers",
                  coalesce(sd.guide_visitors, 0) AS "guideVisitors",
                  coalesce(sd.add_clickers, 0) AS "addClickers",
                  coalesce(sd.confirmed_adds, 0) AS "confirmedAdds",
                  coalesce(sd.guide_adds, 0) AS "guideAdds",
                  coalesce(sd.direct_adds, 0) AS "directAdds"
           FROM wss_stores s
           LEFT JOIN wss_store_entries e ON e.store_id = s.id
           CROSS JOIN generate_series(?::date, ?::date, interval '1 day') AS d(day)
           LEFT JOIN wss_metrics_store_days sd ON sd.store_id = s.id AND sd.day = d.day::date
           WHERE s.id = ANY(?) AND (s.is_open OR sd.store_id IS NOT NULL)
         ) x
         WHERE ?::text[] IS NULL OR x."branchId" = ANY(?::text[])
         ORDER BY x."storeId", x.day`,
        [from, to, storeIds, branchIds, branchIds],
      );
      const names = new Map<string, string>(
        (await db('wss_branches').select('id', 'name')).map((b: { id: string; name: string }) => [b.id, b.name]),
      );
      return result.rows.map((r) => ({ ...r, branchName: names.get(r.branchId) ?? r.branchId }));
    },

    /**
     * Writes today's binding snapshot of every active branch and of the enterprise (the current
     * status, by the same serving rule as the binding rate); a later run the same day overwrites it.
     */
    async snapshotBinding(day: string): Promise<number> {
      const result = await db.raw<{ rowCount: number }>(
        `WITH per_branch AS (
           SELECT b.id AS unit,
                  (count(s.id) FILTER (WHERE s.is_open))::int AS open_stores,
                  (count(s.id) FILTER (WHERE s.is_open AND ${SERVED_SQL}))::int AS bound_stores,
                  (count(s.id) FILTER (WHERE s.is_open AND ${UNUSABLE_ONLY_SQL}))::int AS unusable_only_stores
           FROM wss_branches b LEFT JOIN wss_stores s ON s.branch_id = b.id
           WHERE b.active GROUP BY b.id
         )
         INSERT INTO wss_binding_rate_snapshots (day, unit, open_stores, bound_stores, unusable_only_stores, taken_at)
         SELECT ?::date, unit, open_stores, bound_stores, unusable_only_stores, now() FROM per_branch
         UNION ALL
         SELECT ?::date, '', coalesce(sum(open_stores), 0), coalesce(sum(bound_stores), 0), coalesce(sum(unusable_only_stores), 0), now() FROM per_branch
         ON CONFLICT (unit, day) DO UPDATE SET open_stores = excluded.open_stores, bound_stores = excluded.bound_stores,
           unusable_only_stores = excluded.unusable_only_stores, taken_at = excluded.taken_at`,
        [day, day],
      );
      return result.rowCount;
    },

    /** Daily binding status of the scope: the HQ row for everything, else the sum of its branches' rows. */
    async bindingTrend(scope: Scope, from: string, to: string): Promise<Map<string, { openStores: number; boundStores: number; unusableOnlyStores: number }>> {
      const query = db('wss_binding_rate_snapshots')
        .select(db.raw('day::text AS day'))
        .sum({ open: 'open_stores', bound: 'bound_stores', unusable: 'unusable_only_stores' })
        .whereBetween('day', [from, to])
        .groupBy('day');
      if (scope.kind === 'all') query.where('unit', '');
      else query.whereIn('unit', [...scope.branchIds]);
      const rows = (await query) as { day: string; open: string; bound: string; unusable: string }[];
      return new Map(rows.map((r) => [r.day, { openStores: Number(r.open), boundStores: Number(r.bound), unusableOnlyStores: Number(r.unusable) }]));
    },

    /**
     * Enterprise-wide first add of each customer: the earliest add to any of the enterprise's
     * accounts, from the contact rows (WeCom's CreateTime / createtime) and, where the plugin never
     * held the relation, the earliest confirmed add it recorded.
     */
    async firstAdds(externalUserids: string[]): Promise<Map<string, Date>> {
      if (!externalUserids.length) return new Map();
      const result = await db.raw<{ rows: { id: string; at: Date }[] }>(
        `SELECT id, min(at) AS at FROM (
           SELECT external_userid AS id, first_added_at AS at FROM wss_wecom_contacts WHERE external_userid = ANY(?)
           UNION ALL
           SELECT props->>'externalUserid', occurred_at FROM wss_tracking_events
           WHERE type = 'confirmed_add' AND props->>'externalUserid' = ANY(?)
         ) x GROUP BY id`,
        [externalUserids, externalUserids],
      );
      return new Map(result.rows.map((r) => [r.id, new Date(r.at)]));
    },

    /**
     * The store's confirmed-add customers of [from, to], new or returning: new when their
     * enterprise-wide first add falls on the day of their first add at this store in the period.
     */
    async newAndReturning(storeId: string, from: string, to: string, timezone: string): Promise<{ newCustomers: number; returningCustomers: number }> {
      const result = await db.raw<{ rows: { new_customers: number; returning_customers: number }[] }>(
        `WITH here AS (
           SELECT props->>'externalUserid' AS id, min(day) AS day FROM wss_tracking_events
           WHERE store_id = ? AND type = 'confirmed_add' AND day BETWEEN ?::date AND ?::date AND props->>'externalUserid' IS NOT NULL
           GROUP BY 1
         ), firsts AS (
           SELECT id, min(at) AS at FROM (
             SELECT c.external_userid AS id, c.first_added_at AS at FROM wss_wecom_contacts c JOIN here h ON h.id = c.external_userid
             UNION ALL
             SELECT e.props->>'externalUserid', e.occurred_at FROM wss_tracking_events e JOIN here h ON h.id = e.props->>'externalUserid'
             WHERE e.type = 'confirmed_add'
           ) x GROUP BY id
         )
         SELECT (count(*) FILTER (WHERE (f.at AT TIME ZONE ?)::date >= h.day))::int AS new_customers,
                (count(*) FILTER (WHERE (f.at AT TIME ZONE ?)::date < h.day))::int AS returning_customers
         FROM here h JOIN firsts f ON f.id = h.id`,
        [storeId, from, to, timezone, timezone],
      );
      const row = result.rows[0];
      return { newCustomers: row?.new_customers ?? 0, returningCustomers: row?.returning_customers ?? 0 };
    },

    async lastRollupAt(): Promise<string | null> {
      const row = await db('wss_metrics_rollup_runs').max({ at: 'finished_at' }).first();
      return row?.at ? new Date(row.at).toISOString() : null;
    },
  };
}

export type MetricsStore = ReturnType<typeof createMetricsStore>;
