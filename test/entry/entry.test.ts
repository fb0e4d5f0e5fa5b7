import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntryFastPath } from '../../plugin/customer-path/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import { seedStore, setVisible } from './fixtures.js';

let db: TestDatabase;
let plugin: TestPlugin;

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex, config: { publicBaseUrl: 'https://shop.example.com/plugins/wecom-store-service' } });
  await seedStore(db.knex, { id: 'S1', name: '上海中心店', visible: true });
  await seedStore(db.knex, { id: 'S2', visible: false });
  await seedStore(db.knex, { id: 'S3', visible: true, isOpen: false });
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
});

const entry = (storeId: string, headers?: Record<string, string>) => plugin.request(`/public/entry/${storeId}`, { headers });

/** Polls until the entry shows `visible`; returns how long it took. */
async function waitVisible(storeId: string, visible: boolean): Promise<number> {
  const started = Date.now();
  await expect.poll(async () => (await entry(storeId)).body.visible, { timeout: 2000, interval: 2 }).toBe(visible);
  return Date.now() - started;
}

describe('public entry endpoint', () => {
  it('answers a shown store with text and guide link, and revalidation headers', async () => {
    const res = await entry('S1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      storeId: 'S1',
      visible: true,
      text: '添加门店专属客服',
      guideUrl: 'https://shop.example.com/plugins/wecom-store-service/public/guide?store=S1',
    });
    expect(res.headers.get('cache-control')).toBe('public, no-cache');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await entry('S1', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
  });

  it('answers hidden, closed and unknown stores with visible=false (200), and rejects a malformed id', async () => {
    for (const id of ['S2', 'S3', 'NO-SUCH-STORE']) {
      const res = await entry(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ storeId: id, visible: false, text: null, guideUrl: null });
    }
    const bad = await entry('x'.repeat(65));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
  });

  it('answers the same through the fast path as through the plugin router', async () => {
    // `/S1` is taken by the fast path; the trailing-slash and upper-case forms go through the router.
    const fast = await entry('S1', { 'X-Request-Id': 'req-1' });
    for (const routedPath of ['/public/entry/S1/', '/PUBLIC/entry/S1']) {
      const routed = await plugin.request(routedPath, { headers: { 'X-Request-Id': 'req-1' } });
      expect(routed.status).toBe(fast.status);
      expect(routed.body).toEqual(fast.body);
      for (const h of ['etag', 'cache-control', 'content-type', 'x-request-id', 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age']) {
        expect([h, fast.headers.get(h)]).toEqual([h, routed.headers.get(h)]);
      }
    }
    expect(fast.headers.get('x-request-id')).toBe('req-1');
    expect((await entry('S1')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const revalidated = await entry('S1', { 'If-None-Match': fast.headers.get('etag')! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('access-control-allow-origin')).toBe('*');
    // Encoded ids are left to the router (decoded there), malformed ones too (400 with the usual shape).
    expect((await entry('S%31')).body).toEqual(fast.body);
    expect((await entry('a%20b')).body.error.code).toBe('invalid_input');
  });

  it('fast path: only a plain GET of a well-formed id is answered before the router', async () => {
    const app = new Koa();
    app.use(createEntryFastPath({ entry: plugin.service.services.customerPath.entry, prefix: '/p' }));
    app.use((ctx) => {
      ctx.set('X-Via', 'router');
      ctx.body = 'router';
    });
    const server = app.listen(0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p/public/entry`;
    try {
      const fast = await fetch(`${base}/S1`);
      expect(fast.headers.get('x-via')).toBeNull();
      expect(await fast.json()).toMatchObject({ storeId: 'S1', visible: true });
      for (const [path, method] of [['/S1/', 'GET'], ['/S1', 'POST'], ['/S1', 'HEAD'], ['/S%31', 'GET'], ['/a/b', 'GET'], ['/' + 'x'.repeat(65), 'GET']]) {
        const res = await fetch(`${base}${path}`, { method });
        expect([path, method, res.headers.get('x-via')]).toEqual([path, method, 'router']);
      }
    } finally {
      server.close();
    }
  });

  it('serves repeated reads from the cache without the database', async () => {
    await entry('S1');
    plugin.service.services.customerPath.entry.resetStats();
    for (let i = 0; i < 20; i += 1) await entry('S1');
    const stats = plugin.service.services.customerPath.entry.stats();
    expect(stats.live).toBe(true);
    expect(stats.hits).toBe(20);
    expect(stats.misses).toBe(0);
  });

  it('drops the cached entry the moment HQ hides the store (NOTIFY from another connection), and the ETag changes', async () => {
    const shown = await entry('S1');
    expect(shown.body.visible).toBe(true);
    await setVisible(db.knex, 'S1', false);
    const tookMs = await waitVisible('S1', false);
    expect(tookMs).toBeLessThan(500);
    const hidden = await entry('S1', { 'If-None-Match': shown.headers.get('etag')! });
    expect(hidden.status).toBe(200);
    expect(hidden.body.visible).toBe(false);
    await setVisible(db.knex, 'S1', true);
    await waitVisible('S1', true);
  });

  it('sees a store created after it was cached as unknown, and a store closing', async () => {
    expect((await entry('S9')).body.visible).toBe(false);
    await seedStore(db.knex, { id: 'S9', visible: true });
    await waitVisible('S9', true);
    await db.knex('wss_stores').where('id', 'S9').update({ is_open: false });
    await waitVisible('S9', false);
  });

  it('stays correct when the LISTEN connection dies: reads bypass the cache until it is back', async () => {
    await entry('S1');
    const killed = await db.knex.raw(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(killed.rows.length).toBe(1);
    await expect.poll(() => plugin.service.services.customerPath.entry.stats().live, { timeout: 2000, interval: 5 }).toBe(false);
    // No notification can arrive while the listener is down: the first read must already be fresh.
    await setVisible(db.knex, 'S1', false);
    expect((await entry('S1')).body.visible).toBe(false);
    await expect.poll(() => plugin.service.services.customerPath.entry.stats().live, { timeout: 5000, interval: 50 }).toBe(true);
    await setVisible(db.knex, 'S1', true);
    await waitVisible('S1', true);
  });
});
