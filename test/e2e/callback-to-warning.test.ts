import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startDemoEnvironment, DEMO_WECOM, type DemoEnvironment } from '../../demo/environment.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import { silentLogger } from '../../plugin/core/logger.js';

// End to end on the demo (real routes, real jobs, the WeCom simulator): a branch admin binds
// a store, HQ shows it, WeCom's count is reconciled, an encrypted add callback crosses 70 %, the
// alert-delivery job posts one robot message; at the hard level new customers move to the backup
// and come back when customers leave.
const STORE = 'S1005';
const PRIMARY = 'kf_s1005';
const BACKUP = 'kf_s1005_b';
const ROBOT_KEY = 'e2e-hq-robot-key';

let db: TestDatabase;
let demo: DemoEnvironment;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  demo = await startDemoEnvironment({
    databaseUrl: db.url,
    logger: silentLogger,
    // One HQ robot, so every message of this store lands in one place and can be counted.
    config: (simulatorUrl) => ({
      capacity: { thresholds: [70, 85, 95], hardLevel: 95, rearmMargin: 5 },
      alerts: {
        robots: [{ id: 'e2e-hq', name: '总部测试群', channel: 'wecom', key: ROBOT_KEY }],
        hqRobots: ['e2e-hq'],
        robotBaseUrls: { wecom: simulatorUrl },
      },
    }),
  });
  const robot = await fetch(`${demo.simulator.url}/sim/robots`, { method: 'POST', body: JSON.stringify({ kind: 'wecom', key: ROBOT_KEY }) });
  expect(robot.status).toBe(200);
});
afterAll(async () => {
  await demo?.close();
  await db?.destroy();
});

/** A plugin route as a demo user (X-Demo-Actor: hq-ops, admin-br-east, viewer). */
async function api(actor: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${demo.url}${demo.service.config.routesPrefix}${path}`, {
    method,
    headers: { 'X-Demo-Actor': actor, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function sim(method: string, path: string, body?: unknown) {
  const res = await fetch(`${demo.simulator.url}/sim/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
}

const liveCount = async (userid: string) => (await demo.db('wss_wecom_accounts').where({ userid }).first('customer_count')).customer_count as number;
const liveCode = () => demo.db('wss_store_live_codes').where('store_id', STORE).first();
const robotMessages = async () => ((await sim('GET', 'robots/messages')).messages as { key: string; content: string }[]).filter((m) => m.key === ROBOT_KEY);
const thresholdWarnings = () => demo.db('wss_alert_outbox').where('kind', 'capacity_threshold').orderBy('id');

async function runJob(id: string) {
  const run = await demo.service.jobs.runNow(id);
  expect(run).toMatchObject({ outcome: 'ok' });
  return run.result as any;
}

/** A customer scans the store's live code in WeCom; the simulator calls the plugin back (encrypted). */
async function scanStoreCode(): Promise<{ userid: string; externalUserId: string }> {
  const code = await liveCode();
  const added = await sim('POST', 'customers/add', { configId: code.config_id, wait: 'delivered' });
  await demo.service.services.wecomCallbacks.idle();
  return { userid: added.userid, externalUserId: added.external_userid };
}

async function customerLeaves(userid: string, externalUserId: string) {
  await sim('POST', 'customers/delete', { userid, externalUserId, by: 'customer', wait: 'delivered' });
  await demo.service.services.wecomCallbacks.idle();
}

describe('end to end: from a WeCom callback to a group-robot warning and failover', () => {
  const realCustomers: string[] = [];
  let primaryName = '';

  it('a branch admin binds the store through the routes and HQ shows it', async () => {
    // Binding counts the accounts' customers at once: start them empty so the count is this test's.
    for (const userid of [PRIMARY, BACKUP]) await sim('POST', 'customers/set-count', { userid, count: 0 });
    const bind = await api('admin-br-east', 'POST', `/stores/${STORE}/bindings`, { userid: PRIMARY, role: 'primary' });
    expect(bind.status).toBe(200);
    expect((await api('admin-br-east', 'POST', `/stores/${STORE}/bindings`, { userid: BACKUP, role: 'backup' })).status).toBe(200);
    expect((await api('viewer', 'PUT', `/stores/${STORE}/entry`, { visible: true })).status).toBe(403);
    expect((await api('hq-ops', 'PUT', `/stores/${STORE}/entry`, { visible: true })).body).toEqual({ changed: [STORE], unchanged: 0 });
    const entry = await fetch(`${demo.url}${demo.service.config.routesPrefix}/public/entry/${STORE}`).then((r) => r.json());
    expect(entry).toMatchObject({ visible: true });
    expect((await liveCode()).account_userids).toEqual([PRIMARY]);

    // HQ sets a small limit so "back under" needs only a few real leaves (70 % = 70 customers).
    const account = await demo.db('wss_wecom_accounts').where('userid', PRIMARY).first('id', 'name');
    primaryName = account.name;
    expect(primaryName).toBe(demo.simulator.state.members.get(PRIMARY)!.name);
    const limit = await api('hq-ops', 'PUT', `/capacity/accounts/${account.id}/limit`, { limit: 100, reason: 'e2e' });
    expect(limit.status).toBe(200);
  });

  it('reconciles a silent WeCom count below 70 % without warning, then one real add crosses it: exactly one robot message', async () => {
    expect((await sim('POST', 'customers/set-count', { userid: PRIMARY, count: 69 })).count).toBe(69);
    expect(await liveCount(PRIMARY)).toBe(0); // set-count raises no callback
    const sync = await runJob('capacity-sync');
    expect(sync).toMatchObject({ failed: 0, warningsQueued: 0 });
    expect(await liveCount(PRIMARY)).toBe(69);
    expect(await thresholdWarnings()).toEqual([]);

    const added = await scanStoreCode();
    expect(added.userid).toBe(PRIMARY);
    realCustomers.push(added.externalUserId);
    expect(await liveCount(PRIMARY)).toBe(70);

    await runJob('alert-delivery');
    const messages = await robotMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0].content.split('\n')[0]).toBe(`${primaryName}(账号:${PRIMARY})客户容量已达到70%,请及时处理。`);
  });

  it('a WeCom retry of the same callback (same CreateTime) produces no second warning', async () => {
    const { callbacks } = await sim('GET', 'callbacks');
    const original = callbacks.find((c: any) => c.externalUserId === realCustomers[0] && c.changeType === 'add_external_contact');
    expect(original.status).toBe('delivered');
    const xml = buildEventXml({
      ToUserName: DEMO_WECOM.corpId, FromUserName: 'sys', CreateTime: original.createTime, MsgType: 'event', Event: 'change_external_contact',
      ChangeType: original.changeType, UserID: original.userid, ExternalUserID: original.externalUserId, State: original.state, WelcomeCode: original.welcomeCode,
    });
    const sealed = sealCallback({ token: DEMO_WECOM.callbackToken, encodingAesKey: DEMO_WECOM.callbackEncodingAesKey, corpId: DEMO_WECOM.corpId, agentId: DEMO_WECOM.agentId }, xml);
    const url = new URL(`${demo.url}${demo.service.config.routesPrefix}/wecom/callback`);
    for (const [name, value] of Object.entries(sealed.query)) url.searchParams.set(name, value);
    const retry = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: sealed.body });
    expect(retry.status).toBe(200);
    await demo.service.services.wecomCallbacks.idle();
    await demo.service.services.wecomCallbacks.processPending();

    // Accepted (200) and recognised as the event already stored, so nothing downstream runs again.
    const stored = await demo.db('wss_wecom_callback_events').where({ external_userid: realCustomers[0], change_type: 'add_external_contact' }).count({ n: '*' });
    expect(Number(stored[0].n)).toBe(1);
    expect(await liveCount(PRIMARY)).toBe(70);
    expect(await thresholdWarnings()).toHaveLength(1);
    await runJob('alert-delivery');
    expect(await robotMessages()).toHaveLength(1);
  });

  it('at the hard level the store live code routes new customers to the backup account', async () => {
    await sim('POST', 'customers/set-count', { userid: PRIMARY, count: 88 }); // synthetic customers after the real one
    await runJob('capacity-sync');
    expect(await liveCount(PRIMARY)).toBe(88);
    for (let n = 89; n <= 95; n += 1) {
      const added = await scanStoreCode();
      expect(added.userid).toBe(PRIMARY);
      realCustomers.push(added.externalUserId);
      expect(await liveCount(PRIMARY)).toBe(n);
      expect((await liveCode()).account_userids).toEqual([n < 95 ? PRIMARY : BACKUP]);
    }
    const code = await liveCode();
    expect((await demo.service.services.wecom.getContactWay(code.config_id)).user).toEqual([BACKUP]);
    expect(await demo.db('wss_capacity_routes').where('store_id', STORE).first('routed_to', 'account_userid')).toEqual({ routed_to: 'backup', account_userid: BACKUP });
    // The next customer scanning the same QR code is the backup's.
    expect((await scanStoreCode()).userid).toBe(BACKUP);

    await runJob('alert-delivery');
    const texts = (await robotMessages()).map((m) => m.content.split('\n')[0]);
    expect(texts.slice(1, 3).sort()).toEqual([
      `${primaryName}(账号:${PRIMARY})客户容量已达到85%,请及时处理。`,
      `${primaryName}(账号:${PRIMARY})客户容量已达到95%,请及时处理。`,
    ].sort());
    expect(texts.filter((t) => t.includes('新客户已切换至备用账号'))).toHaveLength(1);
    expect(texts).toHaveLength(4);
  });

  it('routing returns to the primary once customers leave and it is under the hard level minus the margin', async () => {
    // 95 → 90: still at the margin, the backup keeps new customers.
    for (const externalUserId of realCustomers.splice(-5)) await customerLeaves(PRIMARY, externalUserId);
    expect(await liveCount(PRIMARY)).toBe(90);
    expect((await liveCode()).account_userids).toEqual([BACKUP]);
    // 89 %: back to the primary.
    await customerLeaves(PRIMARY, realCustomers.pop()!);
    expect(await liveCount(PRIMARY)).toBe(89);
    const code = await liveCode();
    expect(code.account_userids).toEqual([PRIMARY]);
    expect((await demo.service.services.wecom.getContactWay(code.config_id)).user).toEqual([PRIMARY]);
    expect((await scanStoreCode()).userid).toBe(PRIMARY);

    await runJob('alert-delivery');
    const texts = (await robotMessages()).map((m) => m.content);
    expect(texts.filter((t) => t.includes('容量已恢复，新客户已切回主账号'))).toHaveLength(1);
  });
});
