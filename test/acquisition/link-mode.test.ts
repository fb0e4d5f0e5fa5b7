import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../demo/environment.js';
import { silentLogger } from '../../plugin/core/logger.js';

// On the demo (real routes, jobs, encrypted callbacks from the simulator): HQ puts a store in link
// mode, the guide hands out the account's acquisition link with the visit's state as
// customer_channel, the customer adds through it and the add is attributed to that visit; the quota
// warns once when low and, exhausted, sends the store back to the QR.
const STORE = 'S1005';
const PRIMARY = 'kf_s1005';
const ROBOT_KEY = 'acq-hq-robot-key';

let db: TestDatabase;
let demo: DemoEnvironment;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  demo = await startDemoEnvironment({
    databaseUrl: db.url,
    logger: silentLogger,
    config: (simulatorUrl) => ({
      acquisition: { balanceLowBelow: 20, expiryWarnDays: 7 },
      alerts: { robots: [{ id: 'acq-hq', name: '总部测试群', channel: 'wecom', key: ROBOT_KEY }], hqRobots: ['acq-hq'], robotBaseUrls: { wecom: simulatorUrl } },
    }),
  });
  await sim('POST', 'robots', { kind: 'wecom', key: ROBOT_KEY });
  await sim('PUT', 'acquisition/quota', { packages: [{ amount: 22, expireInDays: 60 }] });
}, 120_000);
afterAll(async () => {
  await demo?.close();
  await db?.destroy();
});

async function api(actor: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${demo.url}${demo.service.config.routesPrefix}${path}`, {
    method,
    headers: { 'X-Demo-Actor': actor, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function sim(method: string, path: string, body?: unknown) {
  const res = await fetch(`${demo.simulator.url}/sim/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json() as Promise<any>;
}

const acquisition = () => demo.service.services.acquisition;
const outbox = (kind: string) => demo.db('wss_alert_outbox').where('kind', kind).orderBy('id');
const visit = (visitorId: string) => api('anon', 'POST', '/public/guide-visits', { storeId: STORE, visitorId, clientType: 'app' });

/** The customer opens the link (the profile page) and taps add; WeCom calls the plugin back. */
async function addThroughLink(url: string): Promise<{ userid: string; external_userid: string }> {
  const parsed = new URL(url);
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const linkId = parsed.pathname.split('/').pop()!;
  const added = await sim('POST', 'acquisition/add', { linkId, customerChannel: parsed.searchParams.get('customer_channel') ?? undefined, wait: 'delivered' });
  await demo.service.services.wecomCallbacks.idle();
  await acquisition().idle();
  return added;
}

describe('guide in acquisition-link mode', () => {
  let firstVisit: any;

  it('HQ (only) puts a shown store in link mode and one link is made for its serving account', async () => {
    await sim('POST', 'customers/set-count', { userid: PRIMARY, count: 0 });
    expect((await api('admin-br-east', 'POST', `/stores/${STORE}/bindings`, { userid: PRIMARY, role: 'primary' })).status).toBe(200);
    expect((await api('hq-ops', 'PUT', `/stores/${STORE}/entry`, { visible: true })).status).toBe(200);
    await demo.service.services.customerPath.poolIdle();

    expect((await api('admin-br-east', 'PUT', '/acquisition/guide-mode', { storeIds: [STORE], mode: 'link' })).status).toBe(403);
    expect((await api('hq-ops', 'PUT', '/acquisition/guide-mode', { storeIds: [STORE], mode: 'sideways' })).status).toBe(400);
    expect((await api('hq-ops', 'PUT', '/acquisition/guide-mode', { storeIds: ['NO_SUCH'], mode: 'link' })).status).toBe(404);
    expect((await api('hq-ops', 'PUT', '/acquisition/guide-mode', { storeIds: [STORE], mode: 'link' })).body).toEqual({ updated: 1 });
    await acquisition().idle();

    const links = [...demo.simulator.state.acquisitionLinks.values()];
    expect(links).toHaveLength(1);
    expect(links[0].user_list).toEqual([PRIMARY]);
    expect([...links[0].link_name].length).toBeLessThanOrEqual(30);
    const audit = await demo.db('wss_audit_log').where({ action: 'guide_mode.set', entity_id: STORE }).first();
    expect(audit.after).toEqual({ mode: 'link' });
  });

  it('a guide visit gets the link with its own state as customer_channel, and the add through it is attributed to that visit', async () => {
    const { body } = await visit('visitor-link-1');
    firstVisit = body;
    expect(body.available).toBe(true);
    expect(body.qrCode).toBeTruthy(); // the QR stays as the fallback
    const url = new URL(body.acquisitionUrl);
    expect(url.pathname).toMatch(/^\/sim\/ca\/cawcde/);
    const state = url.searchParams.get('customer_channel')!;
    const row = await demo.db('wss_guide_visits').where('id', body.guideVisitId).first();
    expect(state).toBe(row.state);
    expect(state).toMatch(/^wss:v:/);
    const other = await visit('visitor-link-2');
    expect(new URL(other.body.acquisitionUrl).searchParams.get('customer_channel')).not.toBe(state);

    const added = await addThroughLink(body.acquisitionUrl);
    expect(added.userid).toBe(PRIMARY);
    const confirmed = await demo.db('wss_tracking_events').where({ type: 'confirmed_add' }).whereRaw("props->>'state' = ?", [state]).select('guide_visit_id', 'store_id', 'visitor_id');
    expect(confirmed).toEqual([{ guide_visit_id: body.guideVisitId, store_id: STORE, visitor_id: 'visitor-link-1' }]);
    expect((await demo.db('wss_guide_visits').where('id', body.guideVisitId).first()).confirmed_at).not.toBeNull();
    // WeCom's own record carries the same state.
    expect(demo.simulator.state.acquisitionCustomers.map((c) => c.state)).toEqual([state]);
  });

  it('quota running low: one warning for the episode, however often it is synced or WeCom says so', async () => {
    await runJob('acquisition-sync');
    expect(await outbox('acquisition_quota_low')).toHaveLength(0); // 21 left
    const second = await visit('visitor-link-2');
    await addThroughLink(second.body.acquisitionUrl); // 20 left
    const third = await visit('visitor-link-3');
    await addThroughLink(third.body.acquisitionUrl); // 19: WeCom raises balance_low → the plugin syncs
    expect(await outbox('acquisition_quota_low')).toHaveLength(1);
    await runJob('acquisition-sync');
    await runJob('acquisition-sync');
    const low = await outbox('acquisition_quota_low');
    expect(low).toHaveLength(1);
    expect(low[0].payload.text).toContain('剩余19个');
    await runJob('alert-delivery');
    const messages = demo.simulator.state.robotMessages.filter((m) => m.key === ROBOT_KEY);
    expect(messages.map((m) => m.content)).toEqual([low[0].payload.text]);
  });

  it('quota exhausted: the store falls back to the QR, HQ is told so once, and the status says why', async () => {
    await sim('PUT', 'acquisition/quota', { packages: [{ amount: 22, balance: 1, expireInDays: 60 }] });
    const last = await visit('visitor-link-4');
    await addThroughLink(last.body.acquisitionUrl); // 0 left: balance_exhausted
    const exhausted = await outbox('acquisition_quota_exhausted');
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0].payload.text).toContain('1家使用获客链接的门店已自动改为二维码添加');

    const after = await visit('visitor-after-exhaustion');
    expect(after.body.acquisitionUrl).toBeNull();
    expect(after.body.qrCode).toBeTruthy();
    const resumed = await api('anon', 'GET', `/public/guide-visits/${firstVisit.guideVisitId}`);
    expect(resumed.body.acquisitionUrl).toBeNull();

    const status = await api('hq-ops', 'GET', '/acquisition/status');
    expect(status.body.quota).toMatchObject({ balance: 0, exhausted: true });
    expect(status.body.stores).toEqual([expect.objectContaining({ storeId: STORE, accountUserid: PRIMARY, showing: 'qr', fallbackReason: 'quota_exhausted' })]);
    await runJob('acquisition-sync');
    expect(await outbox('acquisition_quota_exhausted')).toHaveLength(1);

    // Bought more: links come back on the next sync.
    await sim('PUT', 'acquisition/quota', { packages: [{ amount: 500, expireInDays: 3 }] });
    await runJob('acquisition-sync');
    expect((await visit('visitor-after-purchase')).body.acquisitionUrl).toContain('customer_channel=');
    // …and the package that expires within the warning window is announced once.
    await runJob('acquisition-sync');
    expect(await outbox('acquisition_quota_expiring')).toHaveLength(1);
  });

  it('WeCom reports the link deleted: the plugin replaces it and the guide hands out the new one', async () => {
    const [old] = [...demo.simulator.state.acquisitionLinks.values()];
    await sim('POST', 'acquisition/events', { changeType: 'delete_link', linkId: old.link_id });
    await demo.simulator.waitForCallbacks();
    await demo.service.services.wecomCallbacks.idle();
    await acquisition().idle();
    const links = [...demo.simulator.state.acquisitionLinks.values()];
    expect(links).toHaveLength(1);
    expect(links[0].link_id).not.toBe(old.link_id);
    expect((await visit('visitor-new-link')).body.acquisitionUrl).toContain(links[0].link_id);
  });
});

async function runJob(id: string) {
  const run = await demo.service.jobs.runNow(id);
  expect(run).toMatchObject({ outcome: 'ok' });
  return run.result as any;
}
