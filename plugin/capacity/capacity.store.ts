import type { Knex } from 'knex';
import { writeAudit, type Author } from '../core/audit.js';
import { LOCKS, lockId, xactLock } from '../core/locks.js';
import { activeBindingSql, countedBindingSql } from '../core/serving.js';
import { type Scope } from '../access/scope.js';

const COUNTED_BINDING = countedBindingSql('sa');

export interface AccountForCheck {
  id: string;
  userid: string;
  name: string;
  count: number;
  limit: number;
}

export interface LevelRow {
  accountId: string;
  level: number;
  armed: boolean;
  crossings: number;
}

export interface AccountListFilter {
  branchId?: string;
  q?: string;
  minPercent?: number;
  maxPercent?: number;
  page: number;
  pageSize: number;
}

/** Knex only: counts, threshold state, samples, routing state. Reads for people take a scope. */
export function createCapacityStore(db: Knex) {
  /** `EXISTS` over the account's counted bindings, narrowed to the scope's branches (pushed into SQL). */
  function boundInScope(knex: Knex, scope: Scope, branchId?: string) {
    const q = knex('wss_store_accounts as sa')
      .join('wss_stores as s', 's.id', 'sa.store_id')
      .whereRaw('sa.account_id = a.id')
      .whereRaw(COUNTED_BINDING)
      .select(knex.raw('1'));
    if (scope.kind === 'branches') q.whereIn('s.branch_id', [...scope.branchIds]);
    if (branchId) q.where('s.branch_id', branchId);
    return q;
  }

  return {
    /** Every account the sync reconciles, in id order, page by page. */
    async countedAccountsPage(afterId: string | null, limit: number): Promise<{ id: string; userid: string; count: number }[]> {
      const q = db('wss_wecom_accounts as a')
        .whereExists(db('wss_store_accounts as sa').whereRaw('sa.account_id = a.id').whereRaw(COUNTED_BINDING).select(db.raw('1')))
        .select('a.id', 'a.userid', 'a.customer_count as count')
        .orderBy('a.id')
        .limit(limit);
      if (afterId) q.where('a.id', '>', afterId);
      return q;
    },

    async accountIdsByUserid(userids: string[], knex: Knex | Knex.Transaction = db): Promise<string[]> {
      if (!userids.length) return [];
      return (await knex('wss_wecom_accounts').whereIn('userid', userids).pluck('id')).map(String);
    },

    /**
     * The account locks callbacks apply under, taken in key order in one statement (two writers of
     * overlapping pages never deadlock), then the live counts they guard.
     */
    async lockLiveCounts(trx: Knex.Transaction, accounts: { id: string; userid: string }[]): Promise<Map<string, number>> {
      if (!accounts.length) return new Map();
      const keys = [...new Set(accounts.map((a) => lockId(LOCKS.account(a.userid))))];
      await trx.raw('SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest(?::bigint[]) AS k ORDER BY k) AS sorted', [keys]);
      const rows = (await trx('wss_wecom_accounts').whereIn('id', accounts.map((a) => a.id)).orderBy('id').forUpdate().select('id', 'customer_count')) as { id: string; customer_count: number }[];
      return new Map(rows.map((r) => [String(r.id), r.customer_count]));
    },

    /**
     * Writes the reconciled counts (WeCom's, netted out) and records WeCom's figure and its drift
     * from the live count, in one statement each.
     */
    async recordSync(trx: Knex.Transaction, rows: { id: string; live: number; wecom: number; count: number }[], failures: { id: string; error: string }[]) {
      if (rows.length) {
        await trx.raw(
          `UPDATE wss_wecom_accounts a SET customer_count = v.count, counted_at = now(), updated_at = now()
           FROM unnest(?::bigint[], ?::int[]) AS v(id, count) WHERE a.id = v.id`,
          [rows.map((r) => r.id), rows.map((r) => r.count)],
        );
        await trx.raw(
          `INSERT INTO wss_capacity_sync_state (account_id, live_count, wecom_count, drift, error, checked_at)
           SELECT v.id, v.live, v.wecom, v.wecom - v.live, NULL, now() FROM unnest(?::bigint[], ?::int[], ?::int[]) AS v(id, live, wecom)
           ON CONFLICT (account_id) DO UPDATE SET live_count = excluded.live_count, wecom_count = excluded.wecom_count,
             drift = excluded.drift, error = NULL, checked_at = excluded.checked_at`,
          [rows.map((r) => r.id), rows.map((r) => r.live), rows.map((r) => r.wecom)],
        );
      }
      if (failures.length) {
        await trx.raw(
          `INSERT INTO wss_capacity_sync_state (account_id, error, checked_at)
           SELECT v.id, v.error, now() FROM unnest(?::bigint[], ?::text[]) AS v(id, error)
           ON CONFLICT (account_id) DO UPDATE SET error = excluded.error, checked_at = excluded.checked_at`,
          [failures.map((f) => f.id), failures.map((f) => f.error)],
        );
      }
    },

    async accountsForCheck(trx: Knex.Transaction, ids: string[]): Promise<AccountForCheck[]> {
      return trx('wss_wecom_accounts')
        .whereIn('id', ids)
        .orderBy('id')
        .select('id', 'userid', 'name', 'customer_count as count', 'capacity_limit as limit');
    },

    /** Threshold rows of these accounts, created armed when missing, locked for this transaction. */
    async lockLevels(trx: Knex.Transaction, ids: string[], levels: number[]): Promise<LevelRow[]> {
      await trx.raw(
        `INSERT INTO wss_capacity_levels (account_id, level)
         SELECT a, l FROM unnest(?::bigint[]) AS a CROSS JOIN unnest(?::smallint[]) AS l
         ON CONFLICT DO NOTHING`,
        [ids, levels],
      );
      const rows = await trx('wss_capacity_levels')
        .whereIn('account_id', ids)
        .whereIn('level', levels)
        .orderBy(['account_id', 'level'])
        .forUpdate()
        .select('account_id as accountId', 'level', 'armed', 'crossings');
      return rows.map((r: LevelRow) => ({ ...r, accountId: String(r.accountId) }));
    },

    async updateLevels(trx: Knex.Transaction, rows: LevelRow[]) {
      if (!rows.length) return;
      await trx.raw(
        `UPDATE wss_capacity_levels l SET armed = v.armed, crossings = v.crossings,
           crossed_at = CASE WHEN v.armed THEN l.crossed_at ELSE now() END,
           rearmed_at = CASE WHEN v.armed THEN now() ELSE l.rearmed_at END
         FROM unnest(?::bigint[], ?::smallint[], ?::boolean[], ?::int[]) AS v(account_id, level, armed, crossings)
         WHERE l.account_id = v.account_id AND l.level = v.level`,
        [rows.map((r) => r.accountId), rows.map((r) => r.level), rows.map((r) => r.armed), rows.map((r) => r.crossings)],
      );
    },

    /** One sample per account per hour (the latest count of that hour). */
    async recordSamples(trx: Knex | Knex.Transaction, accounts: { id: string; count: number }[]) {
      if (!accounts.length) return;
      await trx.raw(
        `INSERT INTO wss_capacity_samples (account_id, bucket, customer_count)
         SELECT v.id, date_trunc('hour', now()), v.c FROM unnest(?::bigint[], ?::int[]) AS v(id, c)
         ON CONFLICT (account_id, bucket) DO UPDATE SET customer_count = excluded.customer_count`,
        [accounts.map((a) => a.id), accounts.map((a) => a.count)],
      );
    },

    /** The oldest sample inside the window, per account. */
    async oldestSamples(trx: Knex | Knex.Transaction, ids: string[], days: number) {
      if (!ids.length) return new Map<string, { at: Date; count: number }>();
      const { rows } = await trx.raw<{ rows: { account_id: string; bucket: Date; customer_count: number }[] }>(
        `SELECT DISTINCT ON (account_id) account_id, bucket, customer_count FROM wss_capacity_samples
         WHERE account_id = ANY(?::bigint[]) AND bucket >= now() - make_interval(days => ?)
         ORDER BY account_id, bucket`,
        [ids, days],
      );
      return new Map(rows.map((r) => [String(r.account_id), { at: r.bucket, count: r.customer_count }]));
    },

    /** Stores and branches an account serves (active bindings), for message text and routing. */
    async bindingsOf(trx: Knex | Knex.Transaction, ids: string[]) {
      if (!ids.length) return [];
      return trx('wss_store_accounts as sa')
        .join('wss_stores as s', 's.id', 'sa.store_id')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .whereIn('sa.account_id', ids)
        .whereNull('sa.ended_at')
        .orderBy(['sa.account_id', 's.id'])
        .select('sa.account_id as accountId', 'sa.role', 's.id as storeId', 's.name as storeName', 's.branch_id as branchId', 'b.name as branchName') as Promise<
        { accountId: string; role: string; storeId: string; storeName: string; branchId: string; branchName: string }[]
      >;
    },

    /**
     * Stores of these accounts whose routing could change: the primary at or over the hard level, or
     * already routed away from it. Everything else stays on its primary without a check.
     */
    async storesToReroute(ids: string[], hardLevel: number): Promise<string[]> {
      if (!ids.length) return [];
      const { rows } = await db.raw<{ rows: { store_id: string }[] }>(
        `SELECT DISTINCT s.store_id FROM wss_store_accounts s
         LEFT JOIN wss_capacity_routes r ON r.store_id = s.store_id
         WHERE s.account_id = ANY(?::bigint[]) AND ${activeBindingSql('s')}
           AND (coalesce(r.routed_to, 'primary') <> 'primary' OR EXISTS (
             SELECT 1 FROM wss_store_accounts p JOIN wss_wecom_accounts a ON a.id = p.account_id
             WHERE p.store_id = s.store_id AND p.ended_at IS NULL AND p.role = 'primary'
               AND a.customer_count * 100.0 / a.capacity_limit >= ?))
         ORDER BY s.store_id`,
        [ids, hardLevel],
      );
      return rows.map((r) => r.store_id);
    },

    /** A store's active primary/backup accounts with their fill, primary first. */
    async storeAccounts(trx: Knex.Transaction, storeId: string) {
      return trx('wss_store_accounts as sa')
        .join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
        .where('sa.store_id', storeId)
        .whereNull('sa.ended_at')
        .whereIn('sa.role', ['primary', 'backup'])
        .orderByRaw("sa.role = 'primary' DESC, sa.bound_at, a.id")
        .select('sa.role', 'a.id', 'a.userid', 'a.name', 'a.customer_count as count', 'a.capacity_limit as limit') as Promise<
        { role: 'primary' | 'backup'; id: string; userid: string; name: string; count: number; limit: number }[]
      >;
    },

    async storeInfo(trx: Knex.Transaction, storeId: string) {
      return trx('wss_stores as s').join('wss_branches as b', 'b.id', 's.branch_id').where('s.id', storeId).first('s.id', 's.name', 's.branch_id as branchId', 'b.name as branchName');
    },

    async lockRoute(trx: Knex.Transaction, storeId: string) {
      await xactLock(trx, LOCKS.capacityRoute(storeId));
      const row = await trx('wss_capacity_routes').where('store_id', storeId).first('routed_to as routedTo', 'account_userid as accountUserid', 'changes');
      return (row ?? { routedTo: 'primary', accountUserid: null, changes: 0 }) as { routedTo: 'primary' | 'backup' | 'none'; accountUserid: string | null; changes: number };
    },

    async saveRoute(trx: Knex.Transaction, storeId: string, route: { routedTo: string; accountUserid: string | null; changes: number; reason: string }) {
      await trx('wss_capacity_routes')
        .insert({ store_id: storeId, routed_to: route.routedTo, account_userid: route.accountUserid, changes: route.changes, reason: route.reason, changed_at: trx.fn.now() })
        .onConflict('store_id')
        .merge();
    },

    async findAccount(scope: Scope, id: string) {
      return db('wss_wecom_accounts as a')
        .where('a.id', id)
        .whereExists(boundInScope(db, scope))
        .first('a.id', 'a.userid', 'a.name', 'a.customer_count as count', 'a.capacity_limit as limit');
    },

    async setLimit(trx: Knex.Transaction, id: string, limit: number) {
      await trx('wss_wecom_accounts').where('id', id).update({ capacity_limit: limit, updated_at: trx.fn.now() });
    },

    async audit(trx: Knex.Transaction, entry: { by: Author; action: string; entityId: string; before: unknown; after: unknown; reason?: string }) {
      await writeAudit(trx, entry.by, [
        { action: entry.action, entityType: 'wecom_account', entityId: entry.entityId, before: entry.before, after: entry.after, reason: entry.reason ?? null },
      ]);
    },

    /** Accounts by fill, fullest first, with their in-scope stores, drift and oldest recent sample. */
    async listAccounts(scope: Scope, filter: AccountListFilter, forecastDays: number, bandEdges: number[]) {
      const percent = 'a.customer_count * 100.0 / a.capacity_limit';
      const base = db('wss_wecom_accounts as a').whereExists(boundInScope(db, scope, filter.branchId));
      if (filter.q) {
        const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        base.where((w) => w.whereRaw('lower(a.userid) LIKE ?', [like]).orWhereRaw('lower(a.name) LIKE ?', [like]));
      }
      const unbanded = base.clone();
      if (filter.minPercent !== undefined) base.whereRaw(`${percent} >= ?`, [filter.minPercent]);
      if (filter.maxPercent !== undefined) base.whereRaw(`${percent} < ?`, [filter.maxPercent]);
      const [{ total }] = await base.clone().count<{ total: string }[]>({ total: '*' });
      // Accounts per fill band (below the first edge, between edges, from the last edge up).
      const bounds = [-Infinity, ...bandEdges, Infinity];
      const bandSql = bounds.slice(0, -1).map((from, i) => {
        const to = bounds[i + 1];
        const parts = [Number.isFinite(from) ? `${percent} >= ${Number(from)}` : 'true', Number.isFinite(to) ? `${percent} < ${Number(to)}` : 'true'];
        return `count(*) FILTER (WHERE ${parts.join(' AND ')})::int AS b${i}`;
      });
      const [bandRow] = await unbanded.select(db.raw(bandSql.join(', ')));
      const bands = bounds.slice(0, -1).map((from, i) => ({ from: Number.isFinite(from) ? from : 0, to: Number.isFinite(bounds[i + 1]) ? bounds[i + 1] : null, count: Number(bandRow[`b${i}`]) }));
      const storeScope = scope.kind === 'all' ? '' : 'AND s.branch_id = ANY(?)';
      const items = await base
        .leftJoin('wss_capacity_sync_state as ss', 'ss.account_id', 'a.id')
        .select(
          'a.id',
          'a.userid',
          'a.name',
          'a.customer_count as count',
          'a.capacity_limit as limit',
          'a.counted_at as countedAt',
          db.raw(`round(${percent}, 1)::float AS percent`),
          'ss.drift',
          'ss.checked_at as checkedAt',
          'ss.error as syncError',
          db.raw(
            `(SELECT coalesce(json_agg(json_build_object('storeId', s.id, 'storeName', s.name, 'branchId', s.branch_id, 'role', sa.role,
                 'routedTo', coalesce(r.routed_to, 'primary')) ORDER BY s.id), '[]')
               FROM wss_store_accounts sa JOIN wss_stores s ON s.id = sa.store_id
               LEFT JOIN wss_capacity_routes r ON r.store_id = s.id
               WHERE sa.account_id = a.id AND ${COUNTED_BINDING} ${storeScope}) AS stores`,
            scope.kind === 'all' ? [] : [[...scope.branchIds]],
          ),
          db.raw(
            `(SELECT json_build_object('at', x.bucket, 'count', x.customer_count) FROM wss_capacity_samples x
               WHERE x.account_id = a.id AND x.bucket >= now() - make_interval(days => ?) ORDER BY x.bucket LIMIT 1) AS since`,
            [forecastDays],
          ),
        )
        .orderByRaw(`${percent} DESC, a.id`)
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      return { total: Number(total), bands, items };
    },
  };
}

export type CapacityStore = ReturnType<typeof createCapacityStore>;
