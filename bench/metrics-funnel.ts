/**
 * Metrics: a 90-day funnel from the rollups vs the naive COUNT(DISTINCT) over raw events, same run,
 * same data. 5,000 stores in 20 branches; events generated in SQL (INSERT … SELECT generate_series).
 *
 *   npx tsx bench/metrics-funnel.ts                                   # 1,000,000 events
 *   METRICS_BENCH_SIZES=1000000,10000000 npx tsx bench/metrics-funnel.ts   # both sizes
 *
 * Uses DATABASE_URL if set, otherwise an embedded PostgreSQL in .data/.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startDatabase } from '../demo/embedded-postgres.js';
import { migrateLatest } from '../plugin/db/migrate.js';
import { silentLogger } from '../plugin/core/logger.js';
import { addDays, todayIn } from '../plugin/core/days.js';
import { EVENT_STAGES, type FunnelCounts } from '../plugin/stats/stats.definitions.js';
import type { Scope as MetricsScope } from '../plugin/access/scope.js';
import { createStatsService } from '../plugin/stats/stats.service.js';
import { createMetricsStore } from '../plugin/stats/stats.store.js';
import { createMetricsRollupStore } from '../plugin/stats/stats.rollup.store.js';

const STORES = 5000;
const BRANCHES = 20;
const DAYS = 90;
/** The first rollup (before the diffed, batched rebuild), measured by this bench on the 2-core machine. */
const ROLLUP_BEFORE: Record<number, { backfillMs: number; scheduledMs: number }> = {
  1_000_000: { backfillMs: 23_376, scheduledMs: 1_276 },
  10_000_000: { backfillMs: 402_435, scheduledMs: 12_468 },
};
const sizes = (process.env.METRICS_BENCH_SIZES ?? '1000000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);

const root = path.resolve('.data');
mkdirSync(root, { recursive: true, mode: 0o755 });
const server = await startDatabase({ dataDir: mkdtempSync(path.join(root, 'bench-pg-')), persistent: false });

async function time<T>(fn: () => Promise<T>, runs = 7): Promise<{ ms: number; result: T }> {
  let result!: T;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], result };
}

async function naiveFunnel(db: Knex, from: string, to: string, branchId?: string): Promise<FunnelCounts> {
  const rows = await db.raw<{ rows: { type: string; n: string }[] }>(
    `SELECT e.type, count(DISTINCT CASE WHEN e.type = 'confirmed_add' THEN coalesce(e.props->>'externalUserid', e.visitor_id) ELSE e.visitor_id END) AS n
     FROM wss_tracking_events e JOIN wss_stores s ON s.id = e.store_id
     WHERE e.day BETWEEN ? AND ? AND e.type = ANY(?) ${branchId ? 'AND s.branch_id = ?' : ''}
     GROUP BY e.type`,
    [from, to, EVENT_STAGES.map((s) => s.type), ...(branchId ? [branchId] : [])],
  );
  const keys = ['orderResultVisitors', 'entryClickers', 'guideVisitors', 'addClickers', 'confirmedAdds'] as const;
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as FunnelCounts;
  for (const r of rows.rows) out[keys[EVENT_STAGES.find((s) => s.type === r.type)!.stage - 1]] = Number(r.n);
  return out;
}

async function benchSize(events: number) {
  const name = `wss_bench_${events}_${Date.now()}`;
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = knexFactory({ client: 'pg', connection: server.urlFor(name), pool: { min: 0, max: 4 } });
  try {
    await migrateLatest(db);
    await db.raw(`INSERT INTO wss_branches (id, name) SELECT 'B' || b, '分公司' || b FROM generate_series(1, ?) b`, [BRANCHES]);
    await db.raw(
      `INSERT INTO wss_stores (id, branch_id, name, is_open)
       SELECT 'S' || lpad(s::text, 4, '0'), 'B' || (s % ?) + 1, '门店' || s, s % 50 <> 0 FROM generate_series(1, ?) s`,
      [BRANCHES, STORES],
    );
    const today = todayIn('Asia/Shanghai');
    const from = addDays(today, -(DAYS - 1));
    // Each visitor belongs to one store mostly (a tenth of the events go to another store) and
    // comes back about 8 times over 90 days; types follow a funnel-like mix. Rows are written in time
    // order, as the append-only tracking table is.
    let t = performance.now();
    await db.raw(
      `INSERT INTO wss_tracking_events (type, store_id, visitor_id, occurred_at, day, props)
       SELECT t.type, 'S' || lpad(x.st::text, 4, '0'), 'v' || x.vis, x.ts, (x.ts AT TIME ZONE 'Asia/Shanghai')::date,
              CASE WHEN t.type = 'confirmed_add' THEN jsonb_build_object('externalUserid', 'wm' || x.vis) END
       FROM (
         SELECT v.vis, CASE WHEN random() < 0.1 THEN (random() * (? - 1))::int + 1 ELSE v.vis % ? + 1 END AS st,
                (?::timestamp AT TIME ZONE 'Asia/Shanghai') - (random() * (? - 1))::int * interval '1 day'
                  + random() * interval '23 hours 59 minutes' AS ts,
                random() AS r
         FROM (SELECT (random() * (? / 8))::int AS vis FROM generate_series(1, ?)) v
       ) x
       CROSS JOIN LATERAL (SELECT CASE WHEN x.r < 0.5 THEN 'order_result_view' WHEN x.r < 0.7 THEN 'entry_click'
         WHEN x.r < 0.85 THEN 'guide_view' WHEN x.r < 0.95 THEN 'add_click' ELSE 'confirmed_add' END AS type) t
       ORDER BY x.ts`,
      [STORES, STORES, today, DAYS, events, events],
    );
    await db.raw('ANALYZE wss_tracking_events');
    const generateMs = performance.now() - t;

    const metrics = createStatsService({
      db, store: createMetricsStore(db), rollupStore: createMetricsRollupStore(), timezone: 'Asia/Shanghai', logger: silentLogger,
    });
    t = performance.now();
    await metrics.rollup({ from: addDays(from, -1), to: today });
    const rollupMs = performance.now() - t;
    // What autovacuum does after a bulk insert (statistics, visibility map for index-only scans).
    await db.raw('VACUUM ANALYZE');
    // Ten minutes of traffic arrive between two scheduled runs (a day's events / 144), a third of it
    // from people never seen before.
    const lateEvents = Math.round(events / DAYS / 144);
    await db.raw(
      `INSERT INTO wss_tracking_events (type, store_id, visitor_id, occurred_at, day, props)
       SELECT e.type, e.store_id, CASE WHEN random() < 0.33 THEN e.visitor_id || '-new' ELSE e.visitor_id END, now(), ?::date, e.props
       FROM (SELECT * FROM wss_tracking_events WHERE day = ?::date LIMIT ?) e`,
      [today, today, lateEvents],
    );
    t = performance.now();
    const scheduled = await metrics.rollup({ from: addDays(today, -1), to: today });
    const dailyRollupMs = performance.now() - t;

    const store = createMetricsStore(db);
    const hq = { kind: 'all' } as const;
    const branch: MetricsScope = { kind: 'branches', branchIds: ['B7'] };
    const rollupHq = await time(() => store.periodFunnel(hq, from, today));
    const rollupBranch = await time(() => store.periodFunnel(branch, from, today));
    const overview = await time(() => metrics.overview({ id: 'hq', name: 'hq', permissions: [], branchScope: 'all' }, { from, to: today }));
    const naiveHq = await time(() => naiveFunnel(db, from, today), 3);
    const naiveBranch = await time(() => naiveFunnel(db, from, today, 'B7'), 3);
    const exact = JSON.stringify(rollupHq.result) === JSON.stringify(naiveHq.result) && JSON.stringify(rollupBranch.result) === JSON.stringify(naiveBranch.result);

    const counts = await db.raw(`SELECT (SELECT count(*) FROM wss_metrics_visitor_days) AS facts,
      (SELECT count(*) FROM wss_metrics_first_visits) AS first_visits, (SELECT count(*) FROM wss_metrics_visitors) AS visitors`);
    const c = counts.rows[0];
    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`\n${events.toLocaleString('en')} events, ${STORES} stores, ${BRANCHES} branches, ${DAYS}-day funnel`);
    console.log(`  generate events            ${f(generateMs)}`);
    console.log(`  rollup, all ${DAYS + 1} days       ${f(rollupMs)}  (facts ${c.facts}, first-visit rows ${c.first_visits}, visitors ${c.visitors})`);
    console.log(`  rollup, scheduled (2 days) ${f(dailyRollupMs)}  (after ${lateEvents} new events: ${scheduled.visitorDays} facts written, ${scheduled.visitorsAdded} visitors added)`);
    const before = ROLLUP_BEFORE[events];
    if (before) {
      console.log(`  first rollup version (docs/metrics.md): backfill ${f(before.backfillMs)} (now ×${(before.backfillMs / rollupMs).toFixed(1)} faster), scheduled ${f(before.scheduledMs)} (now ×${(before.scheduledMs / dailyRollupMs).toFixed(1)} faster)`);
    }
    console.log(`  funnel HQ     rollup ${f(rollupHq.ms).padStart(11)}   naive COUNT(DISTINCT) ${f(naiveHq.ms).padStart(11)}   ×${(naiveHq.ms / rollupHq.ms).toFixed(0)} faster`);
    console.log(`  funnel branch rollup ${f(rollupBranch.ms).padStart(11)}   naive COUNT(DISTINCT) ${f(naiveBranch.ms).padStart(11)}   ×${(naiveBranch.ms / rollupBranch.ms).toFixed(0)} faster`);
    console.log(`  whole HQ overview (funnel, branches, trend, bindings, capacity) ${f(overview.ms)}`);
    console.log(`  rollup answers equal the naive ones: ${exact}`);
    if (!exact) {
      console.log('  rollup', rollupHq.result, rollupBranch.result);
      console.log('  naive ', naiveHq.result, naiveBranch.result);
      process.exitCode = 1;
    }
  } finally {
    await db.destroy();
    const cleanup = new pg.Client(server.url);
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  }
}

try {
  for (const size of sizes) await benchSize(size);
} finally {
  await server.stop();
}
