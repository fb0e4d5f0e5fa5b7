/**
 * Entry endpoint (GET /public/entry/:storeId, cached + NOTIFY-invalidated) vs a bare Koa route that
 * answers a constant JSON with an ETag, same process, same run, same load generator.
 * 2,000 stores (half shown). Goals: ≥0.5× the bare route's req/s; p99 < 10 ms at 1,000 req/s.
 *
 *   npx tsx bench/entry-endpoint.ts
 */
import type { Server } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { createWecomStoreService } from '../plugin/index.js';
import { silentLogger } from '../plugin/logger.js';
import { benchDatabase, closedLoop, fixedRate } from './bench-support.js';

const STORES = 2000;
const DURATION_MS = Number(process.env.ENTRY_BENCH_MS ?? 4000);
const CONCURRENCY = 32;

const db = await benchDatabase();
await db.knex.raw(`INSERT INTO wss_branches (id, name) VALUES ('B1', 'B1')`);
await db.knex.raw(`INSERT INTO wss_stores (id, branch_id, name) SELECT 'S' || g, 'B1', '门店' || g FROM generate_series(1, ?) g`, [STORES]);
await db.knex.raw(`INSERT INTO wss_store_entries (store_id, visible, changed_by) SELECT 'S' || g, g % 2 = 0, 'bench' FROM generate_series(1, ?) g`, [STORES]);

const listen = (app: Koa) =>
  new Promise<{ server: Server; base: string }>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` }));
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

const storeUrl = (i: number) => `${plugin.base}/plugins/wecom-store-service/public/entry/S${(i * 7919) % STORES + 1}`;
const bareUrl = (i: number) => `${baseline.base}/entry/S${(i * 7919) % STORES + 1}`;

// Warm up both (and fill the entry cache).
await closedLoop(storeUrl, CONCURRENCY, 1500);
await closedLoop(bareUrl, CONCURRENCY, 1500);

const fmt = (n: number) => n.toFixed(2);
const rounds = [];
for (let r = 0; r < 2; r++) {
  const b = await closedLoop(bareUrl, CONCURRENCY, DURATION_MS);
  const e = await closedLoop(storeUrl, CONCURRENCY, DURATION_MS);
  rounds.push({ b, e });
}
const bareRps = Math.max(...rounds.map((x) => x.b.rps));
const entryRps = Math.max(...rounds.map((x) => x.e.rps));
const last = rounds[rounds.length - 1];
console.log(`max throughput, ${CONCURRENCY} keep-alive clients, ${DURATION_MS} ms, best of 2:`);
console.log(`  bare Koa route : ${bareRps.toFixed(0)} req/s  p50 ${fmt(last.b.p50)} ms  p99 ${fmt(last.b.p99)} ms  errors ${last.b.errors}`);
console.log(`  entry endpoint : ${entryRps.toFixed(0)} req/s  p50 ${fmt(last.e.p50)} ms  p99 ${fmt(last.e.p99)} ms  errors ${last.e.errors}`);
console.log(`  ratio entry/bare: ${(entryRps / bareRps).toFixed(2)}×  (goal ≥ 0.5×)`);

const fixedQuiet = await fixedRate(storeUrl, 1000, DURATION_MS);
console.log(`fixed rate 1,000 req/s, no toggling: entry p50 ${fmt(fixedQuiet.p50)} ms  p99 ${fmt(fixedQuiet.p99)} ms  max ${fmt(fixedQuiet.max)} ms`);
// Toggling while under fixed load: every NOTIFY drops one cached store.
let toggles = 0;
const toggler = setInterval(() => {
  toggles++;
  void db.knex('wss_store_entries')
    .where('store_id', `S${(toggles * 13) % STORES + 1}`)
    .update({ visible: db.knex.raw('NOT visible'), version: db.knex.raw('version + 1') })
    .then(() => undefined);
}, 50);
await fixedRate(bareUrl, 1000, 1000);
await fixedRate(storeUrl, 1000, 1000);
const fixedBare = await fixedRate(bareUrl, 1000, DURATION_MS);
const fixedEntry = await fixedRate(storeUrl, 1000, DURATION_MS);
clearInterval(toggler);
console.log(`fixed rate 1,000 req/s for ${DURATION_MS} ms (entry toggled every 50 ms meanwhile):`);
console.log(`  bare Koa route : p50 ${fmt(fixedBare.p50)} ms  p99 ${fmt(fixedBare.p99)} ms  max ${fmt(fixedBare.max)} ms  errors ${fixedBare.errors}`);
console.log(`  entry endpoint : p50 ${fmt(fixedEntry.p50)} ms  p99 ${fmt(fixedEntry.p99)} ms  max ${fmt(fixedEntry.max)} ms  errors ${fixedEntry.errors}  (goal p99 < 10 ms)`);
console.log(`  cache: ${JSON.stringify(service.services.entry.stats())}`);

await service.close();
plugin.server.close();
baseline.server.close();
await db.stop();
process.exit(0);
