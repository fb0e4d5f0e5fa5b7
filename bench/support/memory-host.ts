/** A host process for bench/memory.ts: a Koa app with a route of its own, with or without the plugin. */
import Koa from 'koa';

const [mode, databaseUrl] = process.argv.slice(2);
const app = new Koa();
if (mode === 'plugin') {
  // Loaded only here: the bare host must not carry the plugin's modules either.
  const { default: knexFactory } = await import('knex');
  const { createWecomStoreService } = await import('../../plugin/index.js');
  const { silentLogger } = await import('../../plugin/core/logger.js');
  const db = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 10 } });
  const service = createWecomStoreService({
    db,
    host: { authenticate: () => null, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
    logger: silentLogger,
    config: { wecom: { corpId: 'ww', corpSecret: 's', callbackToken: 't', callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' } },
  });
  await service.start({ jobs: false });
  app.use(service.middleware);
}
// The bare host answers the same path with a constant, so both carry the same load.
const body = JSON.stringify({ storeId: 'S1', visible: true, text: '添加门店专属客服', guideUrl: '/x' });
app.use((ctx) => {
  ctx.type = 'application/json';
  ctx.body = body;
});
const server = app.listen(0, '127.0.0.1', () => {
  server.keepAliveTimeout = 120_000;
  process.send!({ base: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
});
process.on('message', () => {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send!({ rss, heapUsed });
});
