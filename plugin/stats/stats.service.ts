import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { InputError, forbidden, notFound, rateLimited } from '../core/errors.js';
import { createWindowCounter } from '../core/window-counter.js';
import { FIRST_DAY, addDays, dayRange, daysBetween, todayIn } from '../core/days.js';
import { assertBranchInScope, branchScope, scopeOf, type Scope } from '../access/scope.js';
import type { StatsOverview, StoreFunnelBody } from '../contract/index.js';
import { emptyFunnel, funnelRates, ratio } from './stats.definitions.js';
import { mergeDayRanges, type MetricsRollupStore, type RollupCounts } from './stats.rollup.store.js';
import type { FlatRow, MetricsStore } from './stats.store.js';

export interface StatsFilter {
  from?: string;
  to?: string;
  branchId?: string;
}

/** A filter checked against the actor: the period and the scope every query of the request uses. */
export interface ResolvedStatsFilter {
  from: string;
  to: string;
  days: number;
  branchId: string | null;
  scope: Scope;
}

export type { StatsOverview } from '../contract/index.js';

export interface StatsService {
  /** Checks a filter against the actor: the period and the scope every query of the request uses. */
  resolve(actor: Actor, filter: StatsFilter): Promise<ResolvedStatsFilter>;
  /**
   * Rebuilds the rollups of any day range (idempotent). Later days' first-visit rows are rebuilt
   * too, so a late event or a corrected day never leaves period-distinct counts stale.
   */
  rollup(range: { from: string; to: string }, signal?: AbortSignal): Promise<RollupResult>;
  /**
   * Job `metrics-rollup`: every day that can still change, i.e. the acceptance window of tracking
   * (events up to `maxAgeHours` old) and the dirty days (late adds, stores learnt of later); all
   * history on the first run.
   */
  rollupRecent(signal?: AbortSignal): Promise<RollupResult>;
  overview(actor: Actor, filter: StatsFilter): Promise<StatsOverview>;
  /**
   * HQ asks for fresh numbers now: rolls up the filter's period (and the dirty days) at once.
   * Rate-limited per process (REFRESHES_PER_MINUTE); runs serialise on the rollup lock.
   */
  refresh(actor: Actor, filter: StatsFilter): Promise<RollupResult>;
  /** Period-distinct funnel of one store the actor may see. */
  storeFunnel(actor: Actor, storeId: string, filter: StatsFilter): Promise<StoreFunnelBody>;
  /**
   * Enterprise-wide first add of each customer (earliest add to any account; WeCom's createtime
   * where the plugin holds the relation): for "new customer" gifts. Unknown customers are absent.
   */
  firstAdds(externalUserids: string[]): Promise<{ externalUserid: string; firstAddedAt: string }[]>;
  /** Store × day rows of the flat export, a batch of stores at a time (large exports stream). */
  flatRows(resolved: ResolvedStatsFilter): AsyncGenerator<FlatRow[]>;
}

export type RollupResult = RollupCounts & { from: string; to: string; dirtyDays: string[] };

export const MAX_PERIOD_DAYS = 366;
export const REFRESHES_PER_MINUTE = 2;
export const DEFAULT_PERIOD_DAYS = 30;
export const NEAR_CAPACITY_THRESHOLD = 0.8;
const EXPORT_STORE_BATCH = 200;

export function createStatsService(deps: {
  db: Knex;
  store: MetricsStore;
  rollupStore: MetricsRollupStore;
  timezone: string;
  logger: Logger;
  /** How old an accepted event may be (tracking's maxAgeHours): those days can still change. */
  lateEventHours?: number;
}): StatsService {
  const { db, store, rollupStore, timezone, logger } = deps;
  const windowDays = Math.ceil((deps.lateEventHours ?? 72) / 24);
  const refreshes = createWindowCounter(REFRESHES_PER_MINUTE);

  async function resolve(actor: Actor, filter: StatsFilter): Promise<ResolvedStatsFilter> {
    const to = filter.to ?? todayIn(timezone);
    const from = filter.from ?? (daysBetween(FIRST_DAY, to) > DEFAULT_PERIOD_DAYS ? addDays(to, -(DEFAULT_PERIOD_DAYS - 1)) : FIRST_DAY);
    if (from > to) throw new InputError('开始日期不能晚于结束日期 (from is after to)', { from: 'must not be after to' });
    const days = daysBetween(from, to);
    if (days > MAX_PERIOD_DAYS) {
      throw new InputError(`统计区间最长 ${MAX_PERIOD_DAYS} 天 (period too long)`, { from: `period longer than ${MAX_PERIOD_DAYS} days` });
    }
    const scope = scopeOf(actor);
    if (filter.branchId) {
      assertBranchInScope(scope, filter.branchId);
      if (!(await store.branchExists(filter.branchId))) throw notFound(`分公司 ${filter.branchId} 不存在`, 'branch_not_found');
      return { from, to, days, branchId: filter.branchId, scope: branchScope(filter.branchId) };
    }
    return { from, to, days, branchId: null, scope };
  }

  async function rollup(range: { from: string; to: string }, signal?: AbortSignal, trigger: 'job' | 'refresh' = 'job'): Promise<RollupResult> {
    if (range.from > range.to) throw new InputError('from is after to', { from: 'must not be after to' });
    const started = Date.now();
    const { counts, dirtyDays } = await db.transaction(async (trx) => {
      await rollupStore.lock(trx);
      if (signal?.aborted) throw new Error('metrics rollup aborted');
      const dirty = await rollupStore.takeDirtyDays(trx);
      const ranges = mergeDayRanges([range, ...dirty.map((day) => ({ from: day, to: day }))]);
      const rebuilt = await rollupStore.rebuildRanges(trx, ranges);
      const older = dirty.filter((d) => d < range.from || d > range.to);
      await rollupStore.recordRun(trx, { ...range, dirtyDays: older.length, trigger });
      return { counts: rebuilt, dirtyDays: older };
    });
    logger.info('metrics rollup done', { ...range, ...counts, dirtyDays: dirtyDays.length, ms: Date.now() - started });
    return { ...range, ...counts, dirtyDays };
  }

  return {
    resolve,
    rollup,

    async rollupRecent(signal) {
      const today = todayIn(timezone);
      await store.snapshotBinding(today);
      let from = addDays(today, -windowDays);
      if (!(await rollupStore.hasRollups(db))) {
        const first = await rollupStore.firstEventDay(db);
        if (first && first < from) from = first;
      }
      return rollup({ from, to: today }, signal);
    },

    async overview(actor, filter) {
      const resolved = await resolve(actor, filter);
      const { scope, from, to } = resolved;
      const [funnel, byBranch, daily, bindings, accounts, rolledUpAt, bindingDays] = await Promise.all([
        store.periodFunnel(scope, from, to),
        store.periodFunnelByBranch(scope, from, to),
        store.dailyFunnel(scope, from, to),
        store.bindingByBranch(scope),
        store.nearCapacity(scope, NEAR_CAPACITY_THRESHOLD, 50),
        store.lastRollupAt(),
        store.bindingTrend(scope, from, to),
      ]);
      const total = { openStores: 0, boundStores: 0, unusableOnlyStores: 0, shownStores: 0 };
      for (const b of bindings) {
        total.openStores += b.openStores;
        total.boundStores += b.boundStores;
        total.unusableOnlyStores += b.unusableOnlyStores;
        total.shownStores += b.shownStores;
      }
      return {
        period: { from, to, days: resolved.days, timezone },
        branchId: resolved.branchId,
        binding: { ...total, bindingRate: ratio(total.boundStores, total.openStores) },
        funnel,
        rates: funnelRates(funnel),
        branches: bindings.map((b) => {
          const branchFunnel = byBranch.get(b.branchId) ?? emptyFunnel();
          return { ...b, bindingRate: ratio(b.boundStores, b.openStores), funnel: branchFunnel, rates: funnelRates(branchFunnel) };
        }),
        trend: dayRange(from, to).map((day) => ({ day, ...(daily.get(day) ?? emptyFunnel()) })),
        // Days before the first snapshot have no figure (null), not zero.
        bindingTrend: dayRange(from, to).map((day) => {
          const b = bindingDays.get(day);
          return b ? { day, ...b, bindingRate: ratio(b.boundStores, b.openStores) } : { day, openStores: null, boundStores: null, unusableOnlyStores: null, bindingRate: null };
        }),
        nearCapacity: {
          threshold: NEAR_CAPACITY_THRESHOLD,
          accounts: accounts.map((a) => ({ ...a, usage: a.customerCount / a.capacityLimit })),
        },
        rolledUpAt,
      };
    },

    async refresh(actor, filter) {
      if (actor.branchScope !== 'all') throw forbidden('只有总部可以刷新统计数据 (HQ only)', 'hq_only');
      const resolved = await resolve(actor, filter);
      if (!refreshes.take('refresh')) throw rateLimited('刷新太频繁，请稍后再试 (too many refreshes, try again in a minute)', 'refresh_rate_limited');
      await store.snapshotBinding(todayIn(timezone));
      return rollup({ from: resolved.from, to: resolved.to }, undefined, 'refresh');
    },

    async storeFunnel(actor, storeId, filter) {
      const branchId = await store.storeBranch(storeId);
      if (!branchId) throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
      assertBranchInScope(scopeOf(actor), branchId);
      const resolved = await resolve(actor, { ...filter, branchId: undefined });
      const [funnel, customers] = await Promise.all([
        store.storeFunnel(storeId, resolved.from, resolved.to),
        store.newAndReturning(storeId, resolved.from, resolved.to, timezone),
      ]);
      return { period: { from: resolved.from, to: resolved.to, days: resolved.days }, storeId, funnel, rates: funnelRates(funnel), customers };
    },

    async firstAdds(externalUserids) {
      const firsts = await store.firstAdds([...new Set(externalUserids)]);
      return [...firsts].map(([externalUserid, at]) => ({ externalUserid, firstAddedAt: at.toISOString() }));
    },

    async *flatRows(resolved) {
      let after: string | null = null;
      for (;;) {
        const ids = await store.storeIdsPage(resolved.scope, resolved.branchId, after, EXPORT_STORE_BATCH, resolved.from, resolved.to);
        if (!ids.length) return;
        yield await store.flatRows(ids, resolved.from, resolved.to, resolved.scope, resolved.branchId);
        after = ids[ids.length - 1];
      }
    },
  };
}

