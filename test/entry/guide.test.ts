import type { Server } from 'node:http';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startTestPlugin, TEST_WECOM_CONFIG, type TestPlugin } from '../support/plugin-app.js';
import { createWecomSimulator, type WecomSimulator } from '../../simulator/server.js';
import { bindPrimary, seedStore, setVisible } from './fixtures.js';

let db: TestDatabase;
let plugin: TestPlugin;
let sim: WecomSimulator;

beforeAll(async () => {
  sim = await createWecomSimulator({
    corpId: TEST_WECOM_CONFIG.corpId,
    corpSecret: TEST_WECOM_CONFIG.corpSecret,
    members: [{ userid: 'kf_s1', name: '王晓燕' }, { userid: 'kf_s1_new', name: '李静' }, { userid: 'kf_s2' }],
  });
  db = await createTestDatabase();
  plugin = await startTestPlugin({
    db: db.knex,
    config: {
      wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url },
      // Every test visitor comes from 127.0.0.1: the per-address lease limit is lifted here (test/hardening covers it).
      customerPath: { pool: { perStore: 2, leaseMinutes: 30, leasesPerRequesterPerStore: 10 }, miniProgram: { appId: 'wxapp123', path: 'pages/add/index' } },
    },
  });
  await seedStore(db.knex, { id: 'S1', name: '上海中心店', visible: true, accountUserid: 'kf_s1', accountName: '王晓燕' });
  await seedStore(db.knex, { id: 'S2', visible: false, accountUserid: 'kf_s2' });
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
  await sim.close();
});

const guide = () => plugin.service.services.customerPath;
const startVisit = (body: Record<string, unknown>) => plugin.request('/public/guide-visits', { method: 'POST', body });
const confirmedAdds = () => db.knex('wss_tracking_events').where('type', 'confirmed_add').orderBy('id');

describe('guide visits and the per-visit contact-way pool', () => {
  it('refills the pool of shown stores only, through add_contact_way with a wss:v: state', async () => {
    const result = await guide().refillPool();
    expect(result).toEqual({ created: 2, retired: 0, failed: 0 });
    const ways = await db.knex('wss_guide_contact_ways').orderBy('config_id');
    expect(ways.map((w) => w.store_id)).toEqual(['S1', 'S1']);
    for (const way of ways) {
      expect(way.state).toMatch(/^wss:v:[A-Za-z0-9_-]{12}$/);
      expect(way.state.length).toBeLessThanOrEqual(30);
      const simWay = sim.state.contactWays.get(way.config_id)!;
      expect(simWay.user).toEqual(['kf_s1']);
      expect(simWay.state).toBe(way.state);
    }
    expect(await guide().refillPool()).toEqual({ created: 0, retired: 0, failed: 0 });
  });

  it('gives each visitor its own leased state, resumes the same visitor, and falls back when the pool is empty', async () => {
    const a = await startVisit({ storeId: 'S1', visitorId: 'va', orderId: 'O1', clientType: 'h5' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ available: true, storeId: 'S1', storeName: '上海中心店', accountName: '王晓燕' });
    expect(a.body.qrCode).toMatch(/\/sim\/qr\/.+\.png$/);
    const query = encodeURIComponent(`store=S1&visit=${a.body.guideVisitId}`);
    expect(a.body.miniProgramUrl).toBe(`weixin://dl/business/?appid=wxapp123&path=pages%2Fadd%2Findex&query=${query}`);

    const again = await startVisit({ storeId: 'S1', visitorId: 'va', clientType: 'h5' });
    expect(again.body.guideVisitId).toBe(a.body.guideVisitId);

    const b = await startVisit({ storeId: 'S1', visitorId: 'vb', clientType: 'app' });
    expect(b.body.guideVisitId).not.toBe(a.body.guideVisitId);
    expect(b.body.qrCode).not.toBe(a.body.qrCode);

    // Pool of 2 exhausted: the store-level live code (none yet) → no QR, still a visit.
    const c = await startVisit({ storeId: 'S1', visitorId: 'vc', clientType: 'h5' });
    expect(c.body.available).toBe(true);
    expect(c.body.qrCode).toBeNull();
    const rows = await db.knex('wss_guide_visits').orderBy('created_at').select('visitor_id', 'source');
    expect(rows).toEqual([
      { visitor_id: 'va', source: 'pool' },
      { visitor_id: 'vb', source: 'pool' },
      { visitor_id: 'vc', source: 'none' },
    ]);

    const view = await plugin.request(`/public/guide-visits/${a.body.guideVisitId}`);
    expect(view.body.qrCode).toBe(a.body.qrCode);
    expect((await plugin.request('/public/guide-visits/gv_nope')).status).toBe(404);
  });

  it('answers available=false for hidden and unknown stores and validates input', async () => {
    expect((await startVisit({ storeId: 'S2', visitorId: 'v1' })).body).toMatchObject({ available: false, qrCode: null });
    expect((await startVisit({ storeId: 'NOPE', visitorId: 'v1' })).body.available).toBe(false);
    const bad = await startVisit({ storeId: 'S1', clientType: 'pc' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['clientType', 'visitorId']);
  });

  it('attributes a confirmed add to its guide visit through the leased state, once, and frees the way', async () => {
    const visit = await db.knex('wss_guide_visits').where('visitor_id', 'vb').first();
    const added = sim.context.actions.add({ configId: visit.config_id });
    expect(added.relation.state).toBe(visit.state);
    const event = { state: visit.state, externalUserid: added.relation.external_userid, accountUserid: 'kf_s1', addedAt: new Date(added.relation.createtime * 1000) };
    const attribution = await guide().attributeAdd(event);
    expect(attribution).toEqual({ storeId: 'S1', guideVisitId: visit.id, via: 'pool', recorded: true });
    // WeCom retries the callback: no second event.
    expect((await guide().attributeAdd(event))!.recorded).toBe(false);
    const rows = await confirmedAdds();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ store_id: 'S1', guide_visit_id: visit.id, visitor_id: 'vb', client_type: 'app' });
    expect(rows[0].props).toMatchObject({ via: 'pool', accountUserid: 'kf_s1' });
    const way = await db.knex('wss_guide_contact_ways').where('config_id', visit.config_id).first();
    expect(way.leased_until.getTime()).toBeLessThanOrEqual(Date.now());
    // The freed way goes to the next visitor.
    const d = await startVisit({ storeId: 'S1', visitorId: 'vd', clientType: 'h5' });
    expect(d.body.qrCode).toBe(visit.qr_code);
  });

  it('ignores states that are not ours and attributes store-level codes to the store (the visit only when unambiguous)', async () => {
    expect(await guide().attributeAdd({ state: 'other-channel', externalUserid: 'wmX', accountUserid: 'kf_s1', addedAt: new Date() })).toBeNull();
    expect(await guide().attributeAdd({ state: null, externalUserid: 'wmX', accountUserid: 'kf_s1', addedAt: new Date() })).toBeNull();
    const onlyVisit = await db.knex('wss_guide_visits').where('visitor_id', 'vc').first();
    await db.knex('wss_guide_visits').where('id', onlyVisit.id).update({ source: 'store', state: 'wss:s:S1' });
    const one = await guide().attributeAdd({ state: 'wss:s:S1', externalUserid: 'wmY', accountUserid: 'kf_s1', addedAt: new Date() });
    expect(one).toEqual({ storeId: 'S1', guideVisitId: onlyVisit.id, via: 'store', recorded: true });
    // A second add on the store code: that visit is confirmed, no other candidate → the store only.
    const two = await guide().attributeAdd({ state: 'wss:s:S1', externalUserid: 'wmZ', accountUserid: 'kf_s1', addedAt: new Date() });
    expect(two).toEqual({ storeId: 'S1', guideVisitId: null, via: 'store', recorded: true });
    const last = (await confirmedAdds()).at(-1);
    expect(last).toMatchObject({ guide_visit_id: null, visitor_id: 'wecom:wmZ' });
  });

  it('listens to committed callback events: only add_external_contact counts', async () => {
    const visit = await db.knex('wss_guide_visits').where('visitor_id', 'va').first();
    const base = { id: '1', welcomeCode: null, userId: 'kf_s1', externalUserId: 'wmL', createTime: Math.floor(Date.now() / 1000), state: visit.state };
    expect(await guide().contactChanged({ ...base, changeType: 'edit_external_contact' })).toBeNull();
    expect(await guide().contactChanged({ ...base, changeType: 'add_external_contact' })).toMatchObject({ guideVisitId: visit.id });
  });

  it('retires free ways of a rebound store and creates ways for the new account', async () => {
    await bindPrimary(db.knex, 'S1', 'kf_s1_new', '李静');
    const before = await db.knex('wss_guide_contact_ways').count('* as n').first();
    const result = await guide().refillPool();
    // Free old ways are deleted in WeCom and here; leased ones stay until their lease ends.
    expect(result.created).toBe(2);
    expect(result.retired).toBeGreaterThanOrEqual(1);
    const ways = await db.knex('wss_guide_contact_ways').select('account_userid', 'config_id');
    expect(ways.filter((w) => w.account_userid === 'kf_s1_new')).toHaveLength(2);
    for (const w of ways.filter((x) => x.account_userid === 'kf_s1')) expect(sim.state.contactWays.has(w.config_id)).toBe(true);
    expect(Number(before!.n)).toBe(2);
    await setVisible(db.knex, 'S1', false);
    const hidden = await guide().refillPool();
    expect(hidden.created).toBe(0);
    expect((await db.knex('wss_guide_contact_ways').where('account_userid', 'kf_s1_new')).length).toBe(0);
  });
});

describe('encrypted mini-program scheme', () => {
  it('generates one scheme per store through generatescheme and caches it across service instances', async () => {
    const calls: string[] = [];
    const app = new Koa();
    app.use(async (ctx) => {
      calls.push(ctx.path);
      if (ctx.path === '/cgi-bin/token') ctx.body = { access_token: 'mp-token', expires_in: 7200 };
      else if (ctx.path === '/wxa/generatescheme') ctx.body = { errcode: 0, errmsg: 'ok', openlink: `weixin://dl/business/?t=TICKET${calls.length}` };
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (server.address() as { port: number }).port;
    const local = await createTestDatabase();
    const config = { customerPath: { pool: { perStore: 0 }, miniProgram: { appId: 'wxapp', scheme: 'encrypted' as const, appSecret: 'mp-secret', apiBaseUrl: `http://127.0.0.1:${port}` } } };
    const first = await startTestPlugin({ db: local.knex, config });
    await seedStore(local.knex, { id: 'S1', visible: true, accountUserid: 'kf_s1' });
    const a = await first.request('/public/guide-visits', { method: 'POST', body: { storeId: 'S1', visitorId: 'v1' } });
    const b = await first.request('/public/guide-visits', { method: 'POST', body: { storeId: 'S1', visitorId: 'v2' } });
    expect(a.body.miniProgramUrl).toMatch(/^weixin:\/\/dl\/business\/\?t=TICKET/);
    expect(b.body.miniProgramUrl).toBe(a.body.miniProgramUrl);
    expect(calls.filter((c) => c === '/wxa/generatescheme')).toHaveLength(1);
    await first.close();
    const second = await startTestPlugin({ db: local.knex, config });
    const c = await second.request('/public/guide-visits', { method: 'POST', body: { storeId: 'S1', visitorId: 'v3' } });
    expect(c.body.miniProgramUrl).toBe(a.body.miniProgramUrl);
    expect(calls.filter((x) => x === '/wxa/generatescheme')).toHaveLength(1);
    await second.close();
    await local.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
