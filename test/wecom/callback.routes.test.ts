import { TEST_CALLBACK_SECRETS } from '../support/credentials.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import { wecomCallbackRoutes, WECOM_CALLBACK_PATH } from '../../plugin/wecom-callbacks/callback.routes.js';
import { createWecomCallbackService, type ContactChange, type WecomCallbacksService } from '../../plugin/wecom-callbacks/callback.service.js';
import { createPluginRouter } from '../../plugin/http/plugin-router.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { CORP_ID, captureLogger, control, startSimulator } from './helpers.js';

const SECRETS = TEST_CALLBACK_SECRETS;
const PREFIX = '/plugins/wecom-store-service';

describe('WeCom callback route', () => {
  let db: TestDatabase;
  let sim: WecomSimulator;
  let server: Server;
  let url: string;
  let service: WecomCallbacksService;
  const applied: ContactChange[] = [];
  const logger = captureLogger();

  const contacts = () => db.knex('wss_wecom_contacts').orderBy('id');
  const countOf = async (userid: string) => Number((await db.knex('wss_wecom_accounts').where({ userid }).first()).customer_count);
  const post = (query: { msg_signature: string; timestamp: string; nonce: string }, body: string) =>
    fetch(`${url}?${new URLSearchParams({ ...query })}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const contactXml = (fields: Record<string, string | number>) =>
    buildEventXml({ ToUserName: CORP_ID, FromUserName: 'sys', MsgType: 'event', Event: 'change_external_contact', ...fields });

  beforeAll(async () => {
    db = await createTestDatabase();
    service = createWecomCallbackService({ db: db.knex, secrets: SECRETS, logger: { ...logger, debug: () => undefined }, listeners: [{ contactChanged: async (e) => void applied.push(e) }] });
    const app = new Koa();
    const router = createPluginRouter({ prefix: PREFIX, logger: { ...logger, debug: () => undefined }, guard: () => { throw new Error('no guarded routes here'); }, routes: wecomCallbackRoutes(service, { ...logger, debug: () => undefined }) });
    app.use(router.routes());
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}${WECOM_CALLBACK_PATH}`;
    sim = await startSimulator({ callback: { url, token: SECRETS.token, encodingAesKey: SECRETS.encodingAesKey }, callbackTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await sim.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.destroy();
  });
  beforeEach(async () => {
    await control(sim, 'POST', '/sim/reset');
    await control(sim, 'POST', '/sim/members', { members: [{ userid: 'zhangsan' }, { userid: 'lisi' }] });
    await db.knex('wss_wecom_callback_events').del();
    await db.knex('wss_wecom_contacts').del();
    await db.knex('wss_wecom_accounts').del();
    await db.knex('wss_wecom_accounts').insert([{ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四' }]);
    applied.length = 0;
    logger.lines.length = 0;
  });

  it('answers the URL check with the bare plaintext', async () => {
    expect(await control(sim, 'POST', '/sim/callback-config/verify')).toMatchObject({ ok: true });
  });

  it('stores and applies add / delete / re-add from the simulator and keeps the live count', async () => {
    const way = await control<{ external_userid: string }>(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan', state: 'store-3', wait: 'delivered' });
    await control(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan', wait: 'delivered' });
    await service.idle();
    expect(await countOf('zhangsan')).toBe(2);
    const [first] = await contacts();
    expect(first).toMatchObject({ account_userid: 'zhangsan', external_userid: way.external_userid, state: 'store-3', deleted_at: null });
    expect(applied[0]).toMatchObject({ changeType: 'add_external_contact', welcomeCode: expect.stringMatching(/^WELCOME/), customerCount: 1 });

    await control(sim, 'POST', '/sim/customers/delete', { userid: 'zhangsan', externalUserId: way.external_userid, by: 'customer', wait: 'delivered' });
    await service.idle();
    expect(await countOf('zhangsan')).toBe(1);
    expect((await contacts())[0]).toMatchObject({ deleted_by: 'customer' });
    expect((await contacts())[0].deleted_at).not.toBeNull();

    // Re-added a second later: revived, first-added time and first state kept.
    await new Promise((r) => setTimeout(r, 1100));
    await control(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan', externalUserId: way.external_userid, state: 'store-4', wait: 'delivered' });
    await service.idle();
    const revived = (await contacts())[0];
    expect(revived).toMatchObject({ deleted_at: null, deleted_by: null, state: 'store-3' });
    expect(revived.first_added_at.getTime()).toBe(first.first_added_at.getTime());
    expect(revived.last_added_at.getTime()).toBeGreaterThan(first.first_added_at.getTime());
    expect(await countOf('zhangsan')).toBe(2);
    expect(await db.knex('wss_wecom_callback_events').whereNull('processed_at')).toHaveLength(0);
  });

  it('stores a resent callback once (dedupe on ChangeType+UserID+ExternalUserID+CreateTime)', async () => {
    const xml = contactXml({ CreateTime: 1700000000, ChangeType: 'add_external_contact', UserID: 'lisi', ExternalUserID: 'wmDUP', State: 's' });
    for (let i = 0; i < 3; i += 1) {
      const sealed = sealCallback(SECRETS, xml);
      const response = await post(sealed.query, sealed.body);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
    }
    await service.idle();
    expect(await db.knex('wss_wecom_callback_events')).toHaveLength(1);
    expect(await countOf('lisi')).toBe(1);
  });

  it('records edits and member-side deletes', async () => {
    const added = await control<{ external_userid: string }>(sim, 'POST', '/sim/customers/add', { userid: 'lisi', wait: 'delivered' });
    await control(sim, 'POST', '/sim/customers/edit', { userid: 'lisi', externalUserId: added.external_userid, remark: 'VIP', wait: 'delivered' });
    await control(sim, 'POST', '/sim/customers/delete', { userid: 'lisi', externalUserId: added.external_userid, by: 'member', wait: 'delivered' });
    await service.idle();
    const [row] = await contacts();
    expect(row.edited_at).not.toBeNull();
    expect(row.deleted_by).toBe('member');
    expect(await countOf('lisi')).toBe(0);
  });

  it('rejects forged signatures, foreign corps and malformed XML with 400, logs why, writes nothing', async () => {
    const xml = contactXml({ CreateTime: 1700000001, ChangeType: 'add_external_contact', UserID: 'lisi', ExternalUserID: 'wmX' });
    const sealed = sealCallback(SECRETS, xml);
    const forged = await post({ ...sealed.query, msg_signature: 'f'.repeat(40) }, sealed.body);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: 'wecom_callback_rejected' } });
    const foreign = sealCallback({ ...SECRETS, corpId: 'wwforeign' }, xml);
    expect((await post(foreign.query, foreign.body)).status).toBe(400);
    expect((await post(sealed.query, '<xml><Encrypt>')).status).toBe(400);
    const garbage = sealCallback(SECRETS, '<xml><CreateTime>oops');
    expect((await post(garbage.query, garbage.body)).status).toBe(400);
    expect((await fetch(`${url}?msg_signature=a&timestamp=1&nonce=2&echostr=abc`)).status).toBe(400);
    expect(await db.knex('wss_wecom_callback_events')).toHaveLength(0);
    expect(await contacts()).toHaveLength(0);
    const reasons = logger.lines.filter((l) => l.includes('wecom callback rejected')).join('\n');
    for (const reason of ['bad_signature', 'wrong_receive_id', 'malformed_xml']) expect(reasons).toContain(reason);
    expect(reasons).not.toContain(SECRETS.encodingAesKey);
  });

  it('processPending applies stored events that were never processed', async () => {
    await db.knex('wss_wecom_callback_events').insert({
      dedupe_key: 'add_external_contact|lisi|wmP|1700000100', event: 'change_external_contact', change_type: 'add_external_contact',
      user_id: 'lisi', external_userid: 'wmP', create_time: 1700000100, raw_xml: '<xml/>',
    });
    expect(await service.processPending()).toBe(1);
    expect(await service.processPending()).toBe(0);
    expect(await countOf('lisi')).toBe(1);
  });
});
