import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import { addDays, todayIn } from '../../plugin/core/days.js';
import { FLAT_COLUMNS } from '../../plugin/stats/stats.export.js';
import type { TrackedEvent } from '../../plugin/tracking/index.js';
import { launchBrowser } from '../support/browser.js';
import { daysOf, expectedFunnel, shanghaiDay, type Fixture, type FixtureEvent, type FixtureStore } from './fixture.js';

/**
 * Messy data a chain produces every day, recounted independently from the raw rows (the tracking
 * events as stored, and the test's own record of which branch a store was in and which accounts
 * WeCom reports usable), never through the plugin's SQL. Stats API, both export sheets and the CSV
 * must equal the recount after the scheduled rollup, without a full rebuild.
 */
let db: TestDatabase;
let plugin: TestPlugin;
const T = todayIn('Asia/Shanghai');
const MOVE_DAY = T;
const period = { from: addDays(T, -12), to: T };
const qs = (extra: Record<string, string> = {}) => `?${new URLSearchParams({ ...period, ...extra })}`;

/** The test's model of the directory and the bindings (what a recount knows without the plugin). */
interface ModelStore { id: string; name: string; branchNow: string; isOpen: boolean; movedFrom?: string; bindings: { userid: string; role: 'primary' | 'backup' | 'retired'; ended?: boolean }[] }
const ACCOUNTS: Record<string, number | null> = { kf_ok: 1, kf_new: null, kf_dead: 5, kf_off: 2, kf_gone: 4 };
const STORES: ModelStore[] = [
  { id: 'S1', name: '一号店', branchNow: 'B1', isOpen: true, bindings: [{ userid: 'kf_ok', role: 'primary' }] },
  // Moved from B1 to B2 today; bound only to accounts WeCom reports left (5) and disabled (2).
  { id: 'S2', name: '二号店', branchNow: 'B2', movedFrom: 'B1', isOpen: true, bindings: [{ userid: 'kf_dead', role: 'primary' }, { userid: 'kf_off', role: 'backup' }] },
  { id: 'S3', name: '三号店', branchNow: 'B1', isOpen: true, bindings: [{ userid: 'kf_new', role: 'primary' }, { userid: 'kf_gone', role: 'backup' }] },
  { id: 'S4', name: '四号店', branchNow: 'B2', isOpen: true, bindings: [{ userid: 'kf_ok', role: 'retired' }, { userid: 'kf_ok', role: 'primary', ended: true }] },
  // Known to the directory only after its events arrived.
  { id: 'S5', name: '五号店', branchNow: 'B2', isOpen: true, bindings: [{ userid: 'kf_ok', role: 'backup' }] },
  // Closed: in neither part of the binding rate, its events still count.
  { id: 'S6', name: '六号店', branchNow: 'B2', isOpen: false, bindings: [{ userid: 'kf_ok', role: 'primary' }] },
];
const BRANCH_NAMES: Record<string, string> = { B1: '华东分公司', B2: '华南分公司' };
const branchOn = (storeId: string, day: string) => {
  const s = STORES.find((x) => x.id === storeId)!;
  return s.movedFrom && day < MOVE_DAY ? s.movedFrom : s.branchNow;
};
const usable = (userid: string) => (ACCOUNTS[userid] ?? 1) === 1;

/** Binding figures from the model, by the definition. */
function expectedBinding(branchIds: string[]) {
  const open = STORES.filter((s) => s.isOpen && branchIds.includes(s.branchNow));
  const active = (s: ModelStore) => s.bindings.filter((b) => !b.ended && b.role !== 'retired');
  const bound = open.filter((s) => active(s).some((b) => usable(b.userid)));
  const unusableOnly = open.filter((s) => active(s).length > 0 && !active(s).some((b) => usable(b.userid)));
  return { openStores: open.length, boundStores: bound.length, unusableOnlyStores: unusableOnly.length };
}

let seq = 0;
const at = (day: string, hour = 12) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);
function event(type: TrackedEvent['type'], storeId: string, visitorId: string, day: string, extra: Partial<TrackedEvent> = {}): TrackedEvent {
  seq += 1;
  return {
    clientEventId: `rc-${seq}`, type, storeId, visitorId, orderId: null, clientType: 'h5', guideVisitId: null, outcome: null,
    occurredAt: at(day, 8 + (seq % 12)), receivedAt: new Date(), props: null, ...extra,
  };
}
/** A visitor's path through one store on one day, as far as `depth` (1 view … 4 add click). */
function path(storeId: string, visitorId: string, day: string, depth: number, guideVisitId = `gv-${storeId}-${visitorId}-${day}`): TrackedEvent[] {
  const out = [event('order_result_view', storeId, visitorId, day)];
  if (depth >= 2) out.push(event('entry_click', storeId, visitorId, day));
  if (depth >= 3) out.push(event('guide_view', storeId, visitorId, day, { guideVisitId }));
  if (depth >= 4) out.push(event('add_click', storeId, visitorId, day, { guideVisitId }));
  return out;
}
const add = (storeId: string, visitorId: string, customer: string, day: string, guideVisitId: string | null, hour?: number) =>
  event('confirmed_add', storeId, visitorId, day, {
    guideVisitId, props: { via: guideVisitId ? 'pool' : 'store', externalUserid: customer, accountUserid: 'kf_ok' },
    ...(hour === undefined ? {} : { occurredAt: at(day, hour) }),
  });

function syncDirectory(phase: 1 | 2) {
  plugin.directory.branches = [{ id: 'B1', name: BRANCH_NAMES.B1 }, { id: 'B2', name: BRANCH_NAMES.B2 }];
  plugin.directory.stores = STORES
    .filter((s) => phase === 2 || s.id !== 'S5')
    .map((s) => ({ id: s.id, name: s.name, isOpen: s.isOpen, branchId: phase === 1 && s.movedFrom ? s.movedFrom : s.branchNow }));
  return plugin.service.services.directory.sync();
}

async function runRollupJob() {
  const run = await plugin.service.jobs.runNow('metrics-rollup');
  expect(run.outcome).toBe('ok');
}

/** The raw events as stored, for the recount. */
async function rawFixture(): Promise<Fixture> {
  const rows = await db.knex('wss_tracking_events').select('type', 'store_id', 'visitor_id', 'guide_visit_id', 'occurred_at', db.knex.raw('day::text AS day'), 'props', 'outcome');
  const events: FixtureEvent[] = rows.map((r) => ({
    type: r.type, storeId: r.store_id, visitorId: r.visitor_id, guideVisitId: r.guide_visit_id, occurredAt: r.occurred_at, day: r.day,
    props: r.props, outcome: r.outcome,
  }));
  const stores: FixtureStore[] = STORES.map((s) => ({ id: s.id, branchId: s.branchNow, name: s.name, isOpen: s.isOpen, visible: null, bindings: [] }));
  return { branches: [], stores, accounts: [], events, firstDay: period.from, lastDay: period.to };
}

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
  const tracking = plugin.service.services.tracking;
  // Events of S5 arrive before the directory lists it (left out until it is known).
  await tracking.record([...path('S5', 'v9', addDays(T, -9), 3, 'gv-s5'), add('S5', 'v9', 'wm_s5', addDays(T, -9), 'gv-s5')]);
  await syncDirectory(1);
  const ids = new Map<string, string>();
  for (const [userid, status] of Object.entries(ACCOUNTS)) {
    const [row] = await db.knex('wss_wecom_accounts').insert({ userid, name: `客服${userid}`, wecom_status: status }).returning('id');
    ids.set(userid, row.id);
  }
  const bind = async (s: ModelStore) => {
    for (const b of s.bindings) {
      await db.knex('wss_store_accounts').insert({ store_id: s.id, account_id: ids.get(b.userid), role: b.role, bound_by: 'test', ended_at: b.ended ? new Date() : null });
    }
  };
  for (const s of STORES.filter((x) => x.id !== 'S5')) await bind(s);

  await tracking.record([
    // One per-visit QR scanned by two WeChat users: one guide visitor, two customers.
    ...path('S1', 'v1', addDays(T, -2), 4, 'gv-qr'),
    add('S1', 'v1', 'wm_a', addDays(T, -2), 'gv-qr'), add('S1', 'v1', 'wm_b', addDays(T, -2), 'gv-qr'),
    // Store-code adds with no guide visit: their own number, not in the add rate.
    add('S3', 'wecom:wm_c', 'wm_c', addDays(T, -1), null),
    add('S4', 'wecom:wm_a', 'wm_a', addDays(T, -1), null),
    // A visitor of two stores in two branches, on several days.
    ...path('S1', 'v2', addDays(T, -8), 3), ...path('S4', 'v2', addDays(T, -5), 4), ...path('S1', 'v2', addDays(T, -1), 2),
    // The store that moves: its past stays in B1.
    ...path('S2', 'v3', addDays(T, -3), 4, 'gv-s2'), add('S2', 'v3', 'wm_d', addDays(T, -3), 'gv-s2'),
    ...path('S2', 'v4', addDays(T, -6), 3),
    // A guide visit whose add arrives days later (dated by WeCom's createtime).
    ...path('S3', 'v5', addDays(T, -7), 4, 'gv-late'),
    // The closed store.
    ...path('S6', 'v6', addDays(T, -4), 3),
  ]);
  await runRollupJob();

  // Later: S2 moves to B2, S5 becomes known, and late data arrives.
  await syncDirectory(2);
  await bind(STORES.find((x) => x.id === 'S5')!);
  await tracking.record([
    ...path('S2', 'v3', T, 3), ...path('S2', 'v7', T, 4, 'gv-s2-today'), add('S2', 'v7', 'wm_e', T, 'gv-s2-today'),
    // Within the acceptance window, arriving late.
    ...path('S4', 'v8', addDays(T, -2), 3),
    // Older than the window: the add of an old guide visit, and a late event on an old day.
    add('S3', 'v5', 'wm_f', addDays(T, -6), 'gv-late'),
    ...path('S1', 'v10', addDays(T, -10), 2),
  ]);
  await runRollupJob();
});
afterAll(async () => {
  await plugin?.close();
  await db?.destroy();
});

async function download(path: string, actor = ACTORS.hq): Promise<Buffer> {
  await plugin.request('/stats/overview', { actor });
  const response = await fetch(`${plugin.url}${plugin.service.config.routesPrefix}${path}`, { headers: { 'X-Test-Actor': actor.id } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const rate = (n: number, d: number) => (d > 0 ? n / d : null);
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const inBranch = (ids: string[]) => (s: FixtureStore) => ids.includes(s.branchId);

describe('recount from raw rows after a moved store, late events, dead accounts, store-code adds, a QR scanned twice', () => {
  it('the data holds each of those cases', async () => {
    const f = await rawFixture();
    const qr = f.events.filter((e) => e.type === 'confirmed_add' && e.guideVisitId === 'gv-qr');
    expect(new Set(qr.map((e) => e.props!.externalUserid)).size).toBe(2);
    expect(f.events.some((e) => e.storeId === 'S2' && e.day < MOVE_DAY) && f.events.some((e) => e.storeId === 'S2' && e.day === MOVE_DAY)).toBe(true);
    expect(f.events.filter((e) => e.day < addDays(T, -3)).length).toBeGreaterThan(0);
    const history = await db.knex('wss_store_branch_history').where('store_id', 'S2').orderBy('valid_from');
    expect(history.map((h) => h.branch_id)).toEqual(['B1', 'B2']);
  });

  it('HQ overview: funnel, rates, binding and every branch equal the recount', async () => {
    const f = await rawFixture();
    const { status, body } = await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.hq });
    expect(status).toBe(200);
    const all = expectedFunnel(f, period.from, period.to, () => true, branchOn);
    expect(body.funnel).toEqual(all);
    expect(all).toEqual({ orderResultVisitors: 10, entryClickers: 10, guideVisitors: 9, addClickers: 5, confirmedAdds: 7, guideAdds: 5, directAdds: 2 });
    expect(body.rates.addRate).toBeCloseTo(all.guideAdds / all.guideVisitors, 12);
    expect(body.rates.addRate).toBeLessThanOrEqual(1);
    expect(body.rates.entryClickRate).toBeCloseTo(all.entryClickers / all.orderResultVisitors, 12);
    expect(body.rates.addClickRate).toBeCloseTo(all.addClickers / all.guideVisitors, 12);
    const binding = expectedBinding(['B1', 'B2']);
    expect(binding).toEqual({ openStores: 5, boundStores: 3, unusableOnlyStores: 1 });
    expect(body.binding).toMatchObject({ ...binding, bindingRate: 3 / 5 });
    for (const b of body.branches) {
      expect(b.funnel).toEqual(expectedFunnel(f, period.from, period.to, inBranch([b.branchId]), branchOn));
      expect(b).toMatchObject(expectedBinding([b.branchId]));
    }
    // Binding snapshots: one per day the job ran (today), the period selector applies.
    expect(body.bindingTrend.map((d: { day: string }) => d.day)).toEqual(daysOf(period.from, period.to));
    expect(body.bindingTrend.at(-1)).toEqual({ day: T, ...binding, bindingRate: 3 / 5 });
    expect(body.bindingTrend.slice(0, -1).every((d: { bindingRate: unknown }) => d.bindingRate === null)).toBe(true);
    const b2Trend = (await plugin.request(`/stats/overview?from=${T}&to=${T}&branchId=B2`, { actor: ACTORS.hq })).body.bindingTrend;
    expect(b2Trend).toEqual([{ day: T, ...expectedBinding(['B2']), bindingRate: 1 / 3 }]);
    for (const day of body.trend) {
      const { day: d, ...counts } = day;
      expect(counts).toEqual(expectedFunnel(f, d, d, () => true, branchOn));
    }
  });

  it('branch admin, HQ branch filter and one store: the branch of the event day', async () => {
    const f = await rawFixture();
    const b1 = (await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.adminB1 })).body;
    expect(b1.funnel).toEqual(expectedFunnel(f, period.from, period.to, inBranch(['B1']), branchOn));
    const b2 = (await plugin.request(`/stats/overview${qs({ branchId: 'B2' })}`, { actor: ACTORS.hq })).body;
    expect(b2.funnel).toEqual(expectedFunnel(f, period.from, period.to, inBranch(['B2']), branchOn));
    // S2's past (v3, v4 before the move) stays in B1; today's v3 and v7 are B2's.
    expect(b1.funnel.guideVisitors).toBe(expectedFunnel(f, period.from, period.to, inBranch(['B1']), branchOn).guideVisitors);
    const s2 = (await plugin.request(`/stats/stores/S2${qs()}`, { actor: ACTORS.hq })).body;
    expect(s2.funnel).toEqual(expectedFunnel(f, period.from, period.to, (s) => s.id === 'S2'));
  });

  it('XLSX summary and detail sheets and the CSV equal the recount, row by row', async () => {
    const f = await rawFixture();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await download(`/stats/export.xlsx${qs()}`)) as unknown as ArrayBuffer);
    const summary = workbook.getWorksheet('汇总')!;
    const rows: unknown[][] = [];
    summary.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const valueOf = (label: string) => rows.find((r) => r[0] === label)?.[1];
    const all = expectedFunnel(f, period.from, period.to, () => true, branchOn);
    expect(valueOf('引导页访客')).toBe(all.guideVisitors);
    expect(valueOf('确认添加客户')).toBe(all.confirmedAdds);
    expect(valueOf('引导页访客中已添加')).toBe(all.guideAdds);
    expect(valueOf('无引导页访问的添加客户')).toBe(all.directAdds);
    expect(valueOf('添加率')).toBe(percent(rate(all.guideAdds, all.guideVisitors)));
    expect(valueOf('绑定率')).toBe(percent(3 / 5));
    expect(valueOf('仅绑定不可用账号的门店')).toBe(1);
    for (const branchId of ['B1', 'B2']) {
      const row = rows.find((r) => r[0] === BRANCH_NAMES[branchId])!;
      const e = expectedFunnel(f, period.from, period.to, inBranch([branchId]), branchOn);
      const b = expectedBinding([branchId]);
      expect(row.slice(1, 13)).toEqual([
        b.openStores, b.boundStores, percent(rate(b.boundStores, b.openStores)), b.unusableOnlyStores, 0,
        e.orderResultVisitors, e.entryClickers, e.guideVisitors, e.addClickers, e.confirmedAdds, e.guideAdds, e.directAdds,
      ]);
    }

    // Detail: one row per store × day with the branch of that day; open stores every day.
    const detail: unknown[][] = [];
    workbook.getWorksheet('明细')!.eachRow((row, n) => {
      if (n > 1) detail.push((row.values as unknown[]).slice(1));
    });
    const expectedRows = STORES.flatMap((s) =>
      daysOf(period.from, period.to).flatMap((day) => {
        const c = expectedFunnel(f, day, day, (x) => x.id === s.id);
        const active = Object.values(c).some((n) => n > 0);
        if (!s.isOpen && !active) return [];
        const branchId = branchOn(s.id, day);
        const bound = s.bindings.some((b) => !b.ended && b.role !== 'retired' && usable(b.userid));
        return [[day, branchId, BRANCH_NAMES[branchId], s.id, s.name, s.isOpen ? '是' : '否', bound ? '是' : '否', '否',
          c.orderResultVisitors, c.entryClickers, c.guideVisitors, c.addClickers, c.confirmedAdds, c.guideAdds, c.directAdds]];
      }),
    );
    const byKey = (r: unknown[]) => `${r[3]}|${r[0]}`;
    expect(detail.map(byKey).sort()).toEqual(expectedRows.map(byKey).sort());
    for (const row of expectedRows) expect(detail.find((r) => byKey(r) === byKey(row))).toEqual(row);

    // CSV for B1 only: S2 appears with its days before the move, not after.
    const csv = await download(`/stats/export.csv${qs({ branchId: 'B1' })}`);
    const records: string[][] = parse(csv.toString('utf8').slice(1));
    expect(records[0]).toEqual(FLAT_COLUMNS.map((c) => c.header));
    const b1Rows = expectedRows.filter((r) => r[1] === 'B1').map((r) => r.map(String));
    expect(records.slice(1).map(byKey).sort()).toEqual(b1Rows.map(byKey).sort());
    for (const row of b1Rows) expect(records.find((r) => byKey(r) === byKey(row))).toEqual(row);
    expect(records.some((r) => r[3] === 'S2' && r[0] === MOVE_DAY)).toBe(false);
    expect(records.some((r) => r[3] === 'S2' && r[0] === addDays(MOVE_DAY, -1))).toBe(true);
  });

  it('enterprise-wide first add per customer, and new vs returning customers in a store\'s numbers', async () => {
    const f = await rawFixture();
    const addsOf = (customer: string) => f.events.filter((e) => e.type === 'confirmed_add' && e.props?.externalUserid === customer);
    const first = (customer: string) => new Date(Math.min(...addsOf(customer).map((e) => e.occurredAt.getTime())));
    const res = await plugin.request('/customers/wm_a/first-add', { actor: ACTORS.viewerB1 });
    expect(res.body).toEqual({ externalUserid: 'wm_a', firstAddedAt: first('wm_a').toISOString() });
    expect((await plugin.request('/customers/wm_nobody/first-add', { actor: ACTORS.hq })).status).toBe(404);
    // Recount: a store's add customer is new when their first add anywhere is on the day of their first add there.
    for (const storeId of ['S1', 'S2', 'S3', 'S4']) {
      const here = new Map<string, string>();
      for (const e of f.events.filter((x) => x.type === 'confirmed_add' && x.storeId === storeId && x.day >= period.from && x.day <= period.to)) {
        const c = e.props!.externalUserid as string;
        if (!here.has(c) || e.day < here.get(c)!) here.set(c, e.day);
      }
      const isNew = [...here].filter(([c, day]) => shanghaiDay(first(c)) >= day).length;
      const body = (await plugin.request(`/stats/stores/${storeId}${qs()}`, { actor: ACTORS.hq })).body;
      expect(body.customers).toEqual({ newCustomers: isNew, returningCustomers: here.size - isNew });
    }
    // wm_a added at S1 first, then through S4's store code: returning at S4.
    expect((await plugin.request(`/stats/stores/S4${qs()}`, { actor: ACTORS.hq })).body.customers).toEqual({ newCustomers: 0, returningCustomers: 1 });
  });

  it('HQ can refresh the period now (rate-limited); others cannot; the overview says how current it is', async () => {
    const before = (await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.hq })).body;
    expect(before.canRefresh).toBe(true);
    expect((await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.adminB1 })).body.canRefresh).toBe(false);
    expect((await plugin.request(`/stats/refresh${qs()}`, { actor: ACTORS.adminB1, method: 'POST' })).body.error.code).toBe('hq_only');
    await plugin.service.services.tracking.record([...path('S4', 'v12', T, 3)]);
    const first = await plugin.request(`/stats/refresh${qs()}`, { actor: ACTORS.hq, method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ from: period.from, to: period.to });
    const after = (await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.hq })).body;
    expect(Date.parse(after.rolledUpAt)).toBeGreaterThan(Date.parse(before.rolledUpAt));
    expect(after.funnel).toEqual(expectedFunnel(await rawFixture(), period.from, period.to, () => true, branchOn));
    expect((await plugin.request(`/stats/refresh${qs()}`, { actor: ACTORS.hq, method: 'POST' })).status).toBe(200);
    const limited = await plugin.request(`/stats/refresh${qs()}`, { actor: ACTORS.hq, method: 'POST' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('refresh_rate_limited');
  });

  it('the scheduled run re-covered the old dirty days without a full rebuild, and left none behind', async () => {
    expect(await db.knex('wss_metrics_dirty_days').count({ n: '*' }).first()).toEqual({ n: '0' });
    const dirtyRun = await plugin.service.services.tracking.record([...path('S1', 'v11', addDays(T, -11), 1)]);
    expect(dirtyRun).toHaveLength(1);
    const result = await plugin.service.services.stats.rollupRecent();
    expect(result.from).toBe(addDays(T, -3));
    expect(result.dirtyDays).toEqual([addDays(T, -11)]);
    const f = await rawFixture();
    const body = (await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.hq })).body;
    expect(body.funnel).toEqual(expectedFunnel(f, period.from, period.to, () => true, branchOn));
  });

  it('the dashboard in chromium shows the recount: funnel, add rate, binding rate, the side figures and the definitions', async () => {
    const browser = await launchBrowser();
    try {
      await plugin.request('/stats/overview', { actor: ACTORS.hq });
      const prefix = plugin.service.config.routesPrefix;
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setExtraHTTPHeaders({ 'X-Test-Actor': ACTORS.hq.id });
      await page.route(`${plugin.url}/dashboard.html`, (route) => route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="zh-CN"><body><script type="module" src="${prefix}${plugin.service.manifest.assets.elements}"></script>
          <wss-stats-dashboard api-base="${prefix}"></wss-stats-dashboard></body></html>`,
      }));
      await page.goto(`${plugin.url}/dashboard.html`);
      // The funnel chart's text summary (what a screen reader says): "下单结果页访客 10，点击入口 10，…".
      const chart = page.locator('wss-stats-dashboard wss-chart[data-chart="funnel"]');
      await chart.waitFor();
      const summary = await chart.evaluate((el) => (el as HTMLElement & { label: string }).label);
      const keys: Record<string, string> = { 下单结果页访客: 'orderResultVisitors', 点击入口: 'entryClickers', 引导页访客: 'guideVisitors', 点击添加: 'addClickers', 引导后已添加: 'guideAdds' };
      const shown = Object.fromEntries(summary.split('，').map((part) => {
        const [label, count] = part.trim().split(/\s+(?=[\d,]+$)/);
        return [keys[label] ?? label, Number(count.replace(/,/g, ''))];
      }));
      const f = await rawFixture();
      const last30 = { from: addDays(T, -29), to: T };
      const e = expectedFunnel(f, last30.from, last30.to, () => true, branchOn);
      expect(shown).toEqual({ orderResultVisitors: e.orderResultVisitors, entryClickers: e.entryClickers, guideVisitors: e.guideVisitors, addClickers: e.addClickers, guideAdds: e.guideAdds });
      const text = async (selector: string) => (await page.locator(`wss-stats-dashboard ${selector}`).textContent())!.trim();
      expect(await text('[data-kpi="addRate"] .kpi-value')).toBe(percent(rate(e.guideAdds, e.guideVisitors)));
      expect(await text('[data-kpi="bindingRate"] .kpi-value')).toBe(percent(3 / 5));
      expect(await text('[data-figure="unusableOnlyStores"]')).toContain('1 家');
      expect(await text('[data-figure="confirmedAdds"]')).toContain(`${e.confirmedAdds} 人`);
      expect(await text('[data-figure="directAdds"]')).toContain(`${e.directAdds} 人`);
      expect(await text('[data-testid="definitions"]')).toContain('不超过 100%');
      expect(await text('[data-testid="freshness"]')).toContain('数据汇总于');
      expect(await page.locator('wss-stats-dashboard [data-testid="binding-trend"] wss-chart[data-chart="binding-trend"]').count()).toBe(1);
      await page.screenshot({ path: '/tmp/wss-recount-dashboard-1280.png', fullPage: true });
      await page.setViewportSize({ width: 390, height: 800 });
      await page.screenshot({ path: '/tmp/wss-recount-dashboard-390.png', fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
