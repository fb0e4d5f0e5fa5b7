/**
 * The plugin inside a Koa host that already has what real CRMs run: its own error handler (first),
 * `app.on('error')`, a body parser for JSON, forms, text and XML, and routes of its own — all set
 * up before the plugin is mounted.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWecomStoreService, type WecomStoreService } from '../../plugin/index.js';
import type { Actor, HostAdapter } from '../../plugin/host/adapter.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import { TEST_CALLBACK_SECRETS } from '../support/credentials.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, FixtureDirectory, TEST_WECOM_CONFIG } from '../support/plugin-app.js';

let db: TestDatabase;
let service: WecomStoreService;
let server: Server;
let base: string;
const hostErrors: { message: string; path: string }[] = [];
const hostHandled: string[] = [];
const hostBodies: unknown[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const directory = new FixtureDirectory();
  directory.branches = [{ id: 'B1', name: '华东分公司' }];
  directory.stores = [{ id: 'S1', name: '南京路店', branchId: 'B1', isOpen: true }];
  const actors: Record<string, Actor> = { hq: ACTORS.hq };
  const host: HostAdapter = {
    authenticate: (ctx) => {
      if (ctx.get('X-Host-Fault')) throw new Error('host session store is down');
      return actors[ctx.get('X-Test-Actor')] ?? null;
    },
    directory,
  };
  service = createWecomStoreService({ db: db.knex, host, logger: silentLogger, config: { wecom: TEST_WECOM_CONFIG } });
  await service.migrate();
  await service.services.directory.sync();

  const app = new Koa();
  // The host's error handler, first as Koa recommends, with the host's own error shape.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      hostHandled.push((err as Error).message);
      ctx.status = (err as { status?: number }).status ?? 500;
      ctx.body = { ok: false, msg: 'host error' };
      ctx.app.emit('error', err, ctx);
    }
  });
  app.on('error', (err: Error, ctx?: Koa.Context) => hostErrors.push({ message: err.message, path: ctx?.path ?? '' }));
  app.use(bodyParser({ enableTypes: ['json', 'form', 'text', 'xml'] }));
  const hostRouter = new Router();
  hostRouter.post('/api/orders', (ctx) => {
    hostBodies.push(ctx.request.body);
    ctx.body = { ok: true, received: ctx.request.body };
  });
  hostRouter.get('/api/boom', () => {
    throw new Error('host route failed');
  });
  app.use(hostRouter.routes());
  app.use(service.middleware);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await service?.close();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await db?.destroy();
});
beforeEach(() => {
  hostErrors.length = 0;
  hostHandled.length = 0;
  hostBodies.length = 0;
});

const plugin = (path: string) => `${base}${service.config.routesPrefix}${path}`;
const json = async (response: Response) => ({ status: response.status, body: await response.json() });
function event() {
  return { id: randomUUID(), type: 'order_result_view', storeId: 'S1', visitorId: `v-${randomUUID()}`, orderId: 'O-1', clientType: 'h5', occurredAt: Date.now() - 1000 };
}

describe('the plugin behind a host body parser', () => {
  it('reads a JSON batch the host parser already consumed', async () => {
    const events = [event(), event()];
    const res = await json(await fetch(plugin('/public/events'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) }));
    expect(res).toEqual({ status: 200, body: { accepted: 2, duplicates: 0, rejected: [] } });
    const stored = await db.knex('wss_tracking_events').whereIn('client_event_id', events.map((e) => e.id));
    expect(stored).toHaveLength(2);
  });

  it('reads a sendBeacon text/plain batch the host parser read as text', async () => {
    const events = [event()];
    const res = await json(await fetch(plugin('/public/events'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ events }) }));
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('still enforces its own size limit on a body the host parser read', async () => {
    const events = Array.from({ length: 90 }, () => ({ ...event(), orderId: 'O'.repeat(900) }));
    const res = await json(await fetch(plugin('/public/events'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBeTypeOf('string');
  });

  it('opens a WeCom XML callback the host parser read as text', async () => {
    const xml = buildEventXml({
      ToUserName: TEST_CALLBACK_SECRETS.corpId, FromUserName: 'sys', CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event',
      Event: 'change_external_contact', ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'wm-host-1', State: 's1',
    });
    const sealed = sealCallback(TEST_CALLBACK_SECRETS, xml);
    const response = await fetch(`${plugin('/wecom/callback')}?${new URLSearchParams(sealed.query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('success');
    const stored = await db.knex('wss_wecom_callback_events').select('external_userid');
    expect(stored.map((r) => r.external_userid)).toContain('wm-host-1');
  });
});

describe('errors in a host with its own error handler', () => {
  it('keeps the plugin JSON error shape with field details, and the host handler never sees it', async () => {
    const res = await json(await fetch(plugin('/stores/S1/bindings'), {
      method: 'POST', headers: { 'content-type': 'application/json', 'X-Test-Actor': 'hq' }, body: JSON.stringify({ role: 'nonsense' }),
    }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), details: expect.any(Object) });
    expect(hostHandled).toEqual([]);
    expect(hostErrors).toEqual([]);
  });

  it('answers 401 and a JSON 404 in the plugin shape', async () => {
    expect((await json(await fetch(plugin('/stores')))).body.error.code).toBe('unauthenticated');
    const missing = await json(await fetch(plugin('/no/such/route')));
    expect(missing).toEqual({ status: 404, body: { error: { code: 'route_not_found', message: 'No such route' } } });
  });

  it('sends an unexpected error to the host listener once, and answers 500 without leaking it', async () => {
    const res = await json(await fetch(plugin('/stores'), { headers: { 'X-Host-Fault': '1' } }));
    expect(res).toEqual({ status: 500, body: { error: { code: 'internal_error', message: 'Internal server error' } } });
    expect(hostErrors).toEqual([{ message: 'host session store is down', path: `${service.config.routesPrefix}/stores` }]);
    expect(hostHandled).toEqual([]);
  });
});

describe("the host's own routes", () => {
  it('keep their body parser, their error shape and their listener', async () => {
    const ok = await json(await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'orderId=O-9&storeId=S1' }));
    expect(ok).toEqual({ status: 200, body: { ok: true, received: { orderId: 'O-9', storeId: 'S1' } } });
    const failed = await json(await fetch(`${base}/api/boom`));
    expect(failed).toEqual({ status: 500, body: { ok: false, msg: 'host error' } });
    expect(hostHandled).toEqual(['host route failed']);
    expect(hostErrors.map((e) => e.message)).toEqual(['host route failed']);
  });

  it('are not answered by the plugin outside its prefix', async () => {
    const response = await fetch(`${base}/api/unknown`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('Not Found');
  });
});
