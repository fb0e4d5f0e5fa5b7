import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS } from '../support/plugin-app.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createStatsService as createMetricsService, type StatsService as MetricsService } from '../../plugin/stats/stats.service.js';
import { createMetricsStore } from '../../plugin/stats/stats.store.js';
import { createMetricsRollupStore } from '../../plugin/stats/stats.rollup.store.js';
import {
  daysOf, expectedBinding, expectedFunnel, generateFixture, inBranches, insertFixture, shanghaiDay, type Fixture,
} from './fixture.js';

let db: TestDatabase;
let metrics: MetricsService;
let fixture: Fixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = generateFixture();
  await insertFixture(db.knex, fixture);
  metrics = createMetricsService({
    db: db.knex,
    store: createMetricsStore(db.knex),
    rollupStore: createMetricsRollupStore(),
    timezone: 'Asia/Shanghai',
    logger: silentLogger,
  });
  await metrics.rollup({ from: fixture.firstDay, to: fixture.lastDay });
});
afterAll(() => db.destroy());

const snapshot = async () => ({
  facts: await db.knex('wss_metrics_visitor_days').orderBy(['stage', 'visitor', 'store_id', 'day']),
  storeDays: await db.knex('wss_metrics_store_days').select('store_id', 'day', 'order_result_visitors', 'entry_clickers', 'guide_visitors', 'add_clickers', 'confirmed_adds').orderBy(['store_id', 'day']),
  firstVisits: await db.knex('wss_metrics_first_visits').orderBy(['level', 'unit', 'day', 'stage', 'prev_day']),
});

describe('metrics definitions against an independent computation', () => {
  const periods = () => [
    { from: fixture.firstDay, to: fixture.lastDay },
    { from: '2026-03-05', to: '2026-03-12' },
    { from: '2026-03-09', to: '2026-03-09' },
  ];

  it('the fixture exercises what matters: repeat visitors, cross-branch visitors, re-adds, hidden and closed stores', () => {
    const byVisitor = new Map<string, Set<string>>();
    const branchOf = new Map(fixture.stores.map((s) => [s.id, s.branchId]));
    for (const e of fixture.events.filter((x) => x.type === 'order_result_view')) {
      byVisitor.set(e.visitorId, (byVisitor.get(e.visitorId) ?? new Set()).add(`${e.day}|${branchOf.get(e.storeId)}`));
    }
    const multiDay = [...byVisitor.values()].filter((s) => new Set([...s].map((x) => x.split('|')[0])).size > 1);
    const multiBranch = [...byVisitor.values()].filter((s) => new Set([...s].map((x) => x.split('|')[1])).size > 1);
    expect(multiDay.length).toBeGreaterThan(20);
    expect(multiBranch.length).toBeGreaterThan(5);
    const adds = fixture.events.filter((e) => e.type === 'confirmed_add');
    expect(new Set(adds.map((e) => e.props!.externalUserid)).size).toBeLessThan(adds.length);
    const hidden = new Set(fixture.stores.filter((s) => s.visible !== true).map((s) => s.id));
    const closed = new Set(fixture.stores.filter((s) => !s.isOpen).map((s) => s.id));
    expect(fixture.events.some((e) => hidden.has(e.storeId))).toBe(true);
    expect(fixture.events.some((e) => closed.has(e.storeId))).toBe(true);
    // Early-morning events: the Shanghai day differs from the UTC day.
    expect(fixture.events.some((e) => e.occurredAt.toISOString().slice(0, 10) !== shanghaiDay(e.occurredAt))).toBe(true);
  });

  it('HQ funnel: distinct within the period (not a sum of daily distincts), for several periods', async () => {
    for (const period of periods()) {
      const overview = await metrics.overview(ACTORS.hq, period);
      const expected = expectedFunnel(fixture, period.from, period.to, inBranches('all'));
      expect(overview.funnel).toEqual(expected);
      expect(overview.rates.entryClickRate).toBeCloseTo(expected.entryClickers / expected.orderResultVisitors, 12);
      expect(overview.rates.addClickRate).toBeCloseTo(expected.addClickers / expected.guideVisitors, 12);
      expect(overview.rates.addRate).toBeCloseTo(expected.guideAdds / expected.guideVisitors, 12);
      expect(expected.guideAdds).toBeLessThanOrEqual(expected.guideVisitors);
    }
    const full = await metrics.overview(ACTORS.hq, periods()[0]);
    const sumOfDaily = full.trend.reduce((sum, d) => sum + d.orderResultVisitors, 0);
    expect(sumOfDaily).toBeGreaterThan(full.funnel.orderResultVisitors);
  });

  it('branch funnels: per branch, for a branch admin, for an HQ branch filter and for a several-branch scope', async () => {
    const period = periods()[1];
    const b1 = await metrics.overview(ACTORS.adminB1, period);
    expect(b1.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches(['B1'])));
    expect(b1.branches.map((b) => b.branchId)).toEqual(['B1']);
    const hqB2 = await metrics.overview(ACTORS.hq, { ...period, branchId: 'B2' });
    expect(hqB2.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches(['B2'])));
    const twoBranches = { ...ACTORS.adminB1, id: 'admin-b1b2', branchScope: ['B1', 'B2'] };
    const both = await metrics.overview(twoBranches, period);
    const expectedBoth = expectedFunnel(fixture, period.from, period.to, inBranches(['B1', 'B2']));
    expect(both.funnel).toEqual(expectedBoth);
    // A visitor seen in both branches counts once for the pair, once in each branch.
    expect(both.funnel.orderResultVisitors).toBeLessThan(
      both.branches.reduce((sum, b) => sum + b.funnel.orderResultVisitors, 0),
    );
    const hq = await metrics.overview(ACTORS.hq, period);
    for (const branch of hq.branches) {
      expect(branch.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches([branch.branchId])));
    }
  });

  it('daily trend: distinct per day, every day of the period present', async () => {
    const overview = await metrics.overview(ACTORS.adminB2, { from: fixture.firstDay, to: fixture.lastDay });
    expect(overview.trend.map((t) => t.day)).toEqual(daysOf(fixture.firstDay, fixture.lastDay));
    for (const point of overview.trend) {
      const { day, ...counts } = point;
      expect(counts).toEqual(expectedFunnel(fixture, day, day, inBranches(['B2'])));
    }
  });

  it('store funnel and flat rows: per store × day, open stores every day, closed stores only with activity', async () => {
    const period = periods()[1];
    const store = fixture.stores.find((s) => s.id === 'B1-S2')!;
    const single = await metrics.storeFunnel(ACTORS.adminB1, store.id, period);
    expect(single.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, (s) => s.id === store.id));
    await expect(metrics.storeFunnel(ACTORS.adminB2, store.id, period)).rejects.toMatchObject({ kind: 'forbidden' });

    const resolved = await metrics.resolve(ACTORS.hq, period);
    const rows = [];
    for await (const batch of metrics.flatRows(resolved)) rows.push(...batch);
    const days = daysOf(period.from, period.to);
    for (const s of fixture.stores) {
      const mine = rows.filter((r) => r.storeId === s.id);
      if (s.isOpen) expect(mine.map((r) => r.day)).toEqual(days);
      for (const day of days) {
        const expected = expectedFunnel(fixture, day, day, (x) => x.id === s.id);
        const row = mine.find((r) => r.day === day);
        const active = Object.values(expected).some((n) => n > 0);
        if (!s.isOpen && !active) expect(row).toBeUndefined();
        if (row) {
          expect(row).toMatchObject({ ...expected, branchId: s.branchId, isOpen: s.isOpen, shown: s.visible === true });
          expect(row.bound).toBe(s.bindings.some((b) => !b.ended && b.role !== 'retired'));
        }
      }
    }
    expect(rows.some((r) => !r.isOpen)).toBe(true);
  });

  it('binding rate per branch: open stores with an unended primary or backup; retired-only and ended do not count', async () => {
    const overview = await metrics.overview(ACTORS.hq, periods()[2]);
    for (const branch of overview.branches) {
      const expected = expectedBinding(fixture, branch.branchId);
      expect({ open: branch.openStores, bound: branch.boundStores, shown: branch.shownStores }).toEqual({
        open: expected.openStores, bound: expected.boundStores, shown: expected.shownStores,
      });
      expect(branch.bindingRate).toBeCloseTo(expected.boundStores / expected.openStores, 12);
    }
    const total = fixture.branches.map((b) => expectedBinding(fixture, b.id)).reduce((a, b) => ({ open: a.open + b.openStores, bound: a.bound + b.boundStores }), { open: 0, bound: 0 });
    expect(overview.binding.bindingRate).toBeCloseTo(total.bound / total.open, 12);
  });

  it('accounts near capacity: at least 80 % used, serving a store in scope, fullest first', async () => {
    const hq = await metrics.overview(ACTORS.hq, periods()[2]);
    const expected = fixture.stores
      .flatMap((s) => s.bindings.filter((b) => !b.ended).map((b) => ({ b, s })))
      .map(({ b, s }) => ({ ...fixture.accounts.find((a) => a.userid === b.userid)!, branchId: s.branchId }))
      .filter((a) => a.customerCount >= a.capacityLimit * 0.8)
      .sort((x, y) => y.customerCount / y.capacityLimit - x.customerCount / x.capacityLimit || (x.userid < y.userid ? -1 : 1));
    expect(hq.nearCapacity.accounts.map((a) => a.userid)).toEqual(expected.map((a) => a.userid));
    const b3 = await metrics.overview(ACTORS.hq, { ...periods()[2], branchId: 'B3' });
    expect(b3.nearCapacity.accounts.map((a) => a.userid)).toEqual(expected.filter((a) => a.branchId === 'B3').map((a) => a.userid));
  });
});

describe('metrics-rollup is idempotent and recomputable for any range', () => {
  it('re-running the whole range or a sub-range leaves every rollup row unchanged', async () => {
    const before = await snapshot();
    expect(before.facts.length).toBeGreaterThan(100);
    await metrics.rollup({ from: fixture.firstDay, to: fixture.lastDay });
    expect(await snapshot()).toEqual(before);
    await metrics.rollup({ from: '2026-03-07', to: '2026-03-08' });
    expect(await snapshot()).toEqual(before);
  });

  it('a late event on an early day changes later period counts correctly after re-rolling just that day', async () => {
    // v_late first appears on 03-10 (rolled up); a late event puts them on 03-03 too.
    const later = new Date('2026-03-10T12:00:00+08:00');
    const early = new Date('2026-03-03T12:00:00+08:00');
    const late = [
      { type: 'order_result_view', storeId: 'B3-S1', visitorId: 'v_late', guideVisitId: null, occurredAt: later, day: '2026-03-10', props: null, outcome: null },
      { type: 'order_result_view', storeId: 'B3-S1', visitorId: 'v_late', guideVisitId: null, occurredAt: early, day: '2026-03-03', props: null, outcome: null },
    ];
    await db.knex('wss_tracking_events').insert({ client_event_id: 'late-1', type: 'order_result_view', store_id: 'B3-S1', visitor_id: 'v_late', occurred_at: later, day: '2026-03-10' });
    await metrics.rollup({ from: '2026-03-10', to: '2026-03-10' });
    await db.knex('wss_tracking_events').insert({ client_event_id: 'late-2', type: 'order_result_view', store_id: 'B3-S1', visitor_id: 'v_late', occurred_at: early, day: '2026-03-03' });
    await metrics.rollup({ from: '2026-03-03', to: '2026-03-03' });
    fixture.events.push(...late);
    for (const period of [{ from: '2026-03-01', to: '2026-03-20' }, { from: '2026-03-04', to: '2026-03-12' }, { from: '2026-03-03', to: '2026-03-10' }]) {
      expect((await metrics.overview(ACTORS.hq, period)).funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches('all')));
      expect((await metrics.overview(ACTORS.hq, { ...period, branchId: 'B3' })).funnel).toEqual(
        expectedFunnel(fixture, period.from, period.to, inBranches(['B3'])),
      );
    }
  });

  it('rebuilding in batches of a few days gives the same rows as one batch', async () => {
    const before = await snapshot();
    const batched = createMetricsService({
      db: db.knex, store: createMetricsStore(db.knex), rollupStore: createMetricsRollupStore({ factBatchDays: 3 }), timezone: 'Asia/Shanghai', logger: silentLogger,
    });
    await db.knex('wss_metrics_visitor_days').del();
    await batched.rollup({ from: fixture.firstDay, to: fixture.lastDay });
    expect(await snapshot()).toEqual(before);
    expect((await batched.rollup({ from: '2026-03-04', to: '2026-03-15' })).visitorDays).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('re-rolling writes only what changed: nothing, a store moved to another branch, an event that went away', async () => {
    const period = { from: fixture.firstDay, to: fixture.lastDay };
    expect((await metrics.rollup(period)).visitorDays).toBe(0);

    // The store's past moves with it when the whole history is re-rolled; each of its facts is updated once.
    const moved = fixture.stores.find((s) => s.id === 'B1-S2')!;
    const [{ n: movedFacts }] = await db.knex('wss_metrics_visitor_days').where('store_id', moved.id).count({ n: '*' });
    expect(Number(movedFacts)).toBeGreaterThan(0);
    await db.knex('wss_stores').where('id', moved.id).update({ branch_id: 'B2' });
    moved.branchId = 'B2';
    try {
      expect((await metrics.rollup(period)).visitorDays).toBe(Number(movedFacts));
      for (const branchId of ['B1', 'B2']) {
        expect((await metrics.overview(ACTORS.hq, { ...period, branchId })).funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches([branchId])));
      }
      expect((await metrics.overview(ACTORS.hq, period)).funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches('all')));
    } finally {
      await db.knex('wss_stores').where('id', moved.id).update({ branch_id: 'B1' });
      moved.branchId = 'B1';
      await metrics.rollup(period);
    }

    // An event removed from the source (e.g. a purge) removes its fact and the person's first visit.
    const at = new Date('2026-03-05T10:00:00+08:00');
    await db.knex('wss_tracking_events').insert({ client_event_id: 'gone-1', type: 'guide_view', store_id: 'B3-S2', visitor_id: 'v_gone', occurred_at: at, day: '2026-03-05' });
    expect((await metrics.rollup({ from: '2026-03-05', to: '2026-03-05' })).visitorDays).toBe(1);
    const withGone = await metrics.overview(ACTORS.hq, period);
    await db.knex('wss_tracking_events').where('client_event_id', 'gone-1').del();
    expect((await metrics.rollup({ from: '2026-03-05', to: '2026-03-05' })).visitorDays).toBe(1);
    const after = await metrics.overview(ACTORS.hq, period);
    expect(withGone.funnel.guideVisitors).toBe(after.funnel.guideVisitors + 1);
    expect(after.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches('all')));
    expect(await db.knex('wss_metrics_visitor_days').join('wss_metrics_visitors as v', 'v.id', 'visitor').where('v.key', 'v_gone').first()).toBeUndefined();
  });

  it('the scheduled run backfills all history when no rollup exists yet', async () => {
    await db.knex('wss_metrics_visitor_days').del();
    await db.knex('wss_metrics_store_days').del();
    await db.knex('wss_metrics_first_visits').del();
    const result = await metrics.rollupRecent();
    expect(result.from).toBe(fixture.firstDay);
    const period = { from: fixture.firstDay, to: fixture.lastDay };
    expect((await metrics.overview(ACTORS.hq, period)).funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches('all')));
  });

  it('rejects a reversed or too long period with per-field details', async () => {
    await expect(metrics.overview(ACTORS.hq, { from: '2026-03-10', to: '2026-03-01' })).rejects.toMatchObject({ kind: 'invalid', details: { fields: { from: expect.any(String) } } });
    await expect(metrics.overview(ACTORS.hq, { from: '2025-01-01', to: '2026-03-01' })).rejects.toMatchObject({ kind: 'invalid' });
  });
});
