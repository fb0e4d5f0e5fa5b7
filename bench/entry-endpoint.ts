/**
 * Entry endpoint (GET /public/entry/:storeId, cached + NOTIFY-invalidated) vs a bare Koa route that
 * answers a constant JSON with an ETag, same process, same run, same load generator.
 * 2,000 stores (half shown). Goals: ≥0.5× the bare route's req/s; p99 < 10 ms at 1,000 req/s.
 *
 * Fairness: the load generator runs in a worker thread (bench/support/load-worker.ts), never on the
 * servers' event loop; both servers live in this process and are measured one at a time with the
 * same client, after a warm-up. Throughput: ROUNDS closed-loop rounds alternating which goes
 * first, ratio = median of the per-round ratios. Latency: open loop at 1,000 req/s (latency from
 * each request's due time), ROUNDS windows each, median and worst p99 reported; the toggling
 * UPDATEs (every 50 ms) come from the worker's own connection.
 *
 *   npx tsx bench/entry-endpoint.ts
 *   ENTRY_BENCH_MS=5000 ENTRY_BENCH_ROUNDS=5 npx tsx bench/entry-endpoint.ts
 */
import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { createWecomStoreService } from '../plugin/index.js';
import { silentLogger } from '../plugin/core/logger.js';
import { benchDatabase, median, startLoadClient } from './bench-support.js';

const STORES = 2000;
const DURATION_MS = Number(process.env.ENTRY_BENCH_MS ?? 3000);
const ROUNDS = Number(process.env.ENTRY_BENCH_ROUNDS ?? 3);
const CONCURRENCY = 32;
const RATE = 1000;

const db = await benchDatabase();
await db.knex.raw(`INSERT INTO wss_branches (id, name) VALUES ('B1', 'B1')`);
await db.knex.raw(`INSERT INTO wss_stores (id, branch_id, name) SELECT 'S' || g, 'B1', '门店' || g FROM generate_series(1, ?) g`, [STORES]);
await db.knex.raw(`INSERT INTO wss_store_entries (store_id, visible, changed_by) SELECT 'S' || g, g % 2 = 0, 'bench' FROM generate_series(1, ?) g`, [STORES]);

const listen = (app: Koa) =>
  new Promise<{ server: Server; base: string }>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` }));
    // Both servers keep idle keep-alive sockets across the windows (Node's 5 s default would close
    // them mid-bench and the client would see resets on reuse).
    server.keepAliveTimeout = 120_000;
  });

const service = createWecomStoreService({
  db: db.knex,
  host: { authenticate: () => null, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
  logger: silentLogger,
  config: { wecom: { corpId: 'ww', corpSecret: 's', callbackToken: 't', callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' } },
});
const pluginApp = new Koa();
pluginApp.use(service.middleware);
const plugin = await listen(pluginApp);

const bare = new Koa();
const router = new Router();
const body = JSON.stringify({ storeId: 'S1', visible: true, text: '添加门店专属客服', guideUrl: '/plugins/wecom-store-service/public/guide?store=S1' });
router.get('/entry/:storeId', (ctx) => {
  ctx.set('Cache-Control', 'public, no-cache');
  ctx.set('ETag', 'W/"bare"');
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = body;
});
bare.use(router.routes());
const baseline = await listen(bare);

// Stores visited in a scattered order (7919 is prime), the same sequence for both servers.
const order = Array.from({ length: STORES }, (_, i) => ((i * 7919) % STORES) + 1);
const entryUrls = order.map((s) => `${plugin.base}/plugins/wecom-store-service/public/entry/S${s}`);
const bareUrls = order.map((s) => `${baseline.base}/entry/S${s}`);
const toggle = {
  databaseUrl: db.url,
  sql: `UPDATE wss_store_entries SET visible = NOT visible, version = version + 1 WHERE store_id = 'S' || (($1::int * 13) % ${STORES} + 1)`,
  everyMs: 50,
};

const client = await startLoadClient();
// Warm-up: JIT on both sides, keep-alive sockets, and the entry cache filled.
for (let i = 0; i < 2; i++) {
  await client.closedLoop(entryUrls, CONCURRENCY, 1500);
  await client.closedLoop(bareUrls, CONCURRENCY, 1500);
}
await client.fixedRate(entryUrls, RATE, 1000);
await client.fixedRate(bareUrls, RATE, 1000);

const fmt = (n: number) => n.toFixed(2);
type Closed = Awaited<ReturnType<typeof client.closedLoop>>;
const rounds: { b: Closed; e: Closed }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let b: Closed;
  let e: Closed;
  if (r % 2 === 0) {
    b = await client.closedLoop(bareUrls, CONCURRENCY, DURATION_MS);
    e = await client.closedLoop(entryUrls, CONCURRENCY, DURATION_MS);
  } else {
    e = await client.closedLoop(entryUrls, CONCURRENCY, DURATION_MS);
    b = await client.closedLoop(bareUrls, CONCURRENCY, DURATION_MS);
  }
  rounds.push({ b, e });
}
const ratios = rounds.map((x) => x.e.rps / x.b.rps);
console.log(`max throughput, ${CONCURRENCY} keep-alive clients (worker thread), ${DURATION_MS} ms × ${ROUNDS} rounds after warm-up:`);
rounds.forEach(({ b, e }, r) =>
  console.log(
    `  round ${r + 1}: bare ${b.rps.toFixed(0)} req/s (p50 ${fmt(b.p50)} p99 ${fmt(b.p99)} ms)  entry ${e.rps.toFixed(0)} req/s (p50 ${fmt(e.p50)} p99 ${fmt(e.p99)} ms)` +
      `  ratio ${(e.rps / b.rps).toFixed(2)}×  errors ${b.errors + e.errors}`,
  ),
);
console.log(`  bare Koa route : median ${median(rounds.map((x) => x.b.rps)).toFixed(0)} req/s`);
console.log(`  entry endpoint : median ${median(rounds.map((x) => x.e.rps)).toFixed(0)} req/s`);
console.log(`  ratio entry/bare: median ${median(ratios).toFixed(2)}×  [${ratios.map((r) => r.toFixed(2)).join(', ')}]  (goal ≥ 0.5×)`);

type Fixed = Awaited<ReturnType<typeof client.fixedRate>>;
async function fixedWindows(withToggles: boolean) {
  const bareRuns: Fixed[] = [];
  const entryRuns: Fixed[] = [];
  const misses: number[] = [];
  const entryWindow = async () => {
    const before = service.services.customerPath.entry.stats().misses;
    entryRuns.push(await client.fixedRate(entryUrls, RATE, DURATION_MS, withToggles ? toggle : undefined));
    misses.push(service.services.customerPath.entry.stats().misses - before);
  };
  for (let r = 0; r < ROUNDS; r++) {
    const bg = withToggles ? toggle : undefined;
    if (r % 2 === 0) {
      bareRuns.push(await client.fixedRate(bareUrls, RATE, DURATION_MS, bg));
      await entryWindow();
    } else {
      await entryWindow();
      bareRuns.push(await client.fixedRate(bareUrls, RATE, DURATION_MS, bg));
    }
  }
  const line = (runs: Fixed[]) =>
    `p50 ${fmt(median(runs.map((x) => x.p50)))} ms  p99 median ${fmt(median(runs.map((x) => x.p99)))} ms [${runs.map((x) => fmt(x.p99)).join(', ')}]` +
    `  max ${fmt(Math.max(...runs.map((x) => x.max)))} ms  errors ${runs.reduce((n, x) => n + x.errors, 0)}${runs.find((x) => x.firstError) ? ` (${runs.find((x) => x.firstError)!.firstError})` : ''}`;
  return { bare: line(bareRuns), entry: `${line(entryRuns)}  cache misses/window [${misses.join(', ')}]`, toggles: entryRuns.reduce((n, x) => n + x.background, 0) };
}

const quiet = await fixedWindows(false);
console.log(`fixed rate ${RATE.toLocaleString('en')} req/s, ${ROUNDS} windows of ${DURATION_MS} ms, no toggling:`);
console.log(`  bare Koa route : ${quiet.bare}`);
console.log(`  entry endpoint : ${quiet.entry}  (goal p99 < 10 ms)`);
const toggled = await fixedWindows(true);
console.log(`fixed rate ${RATE.toLocaleString('en')} req/s, entries toggled every ${toggle.everyMs} ms meanwhile (${toggled.toggles} toggles during the entry windows):`);
console.log(`  bare Koa route : ${toggled.bare}`);
console.log(`  entry endpoint : ${toggled.entry}  (goal p99 < 10 ms)`);
console.log(`  cache: ${JSON.stringify(service.services.customerPath.entry.stats())}`);

await client.close();
await service.close();
plugin.server.close();
baseline.server.close();
await db.stop();
process.exit(0);
