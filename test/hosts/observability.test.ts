/**
 * Operations inside a host: every Prometheus counter moves when the thing it counts happens (read
 * back through GET /ops/metrics), the health route tells database, listener and last job runs, and
 * the pino adapter writes structured, redacted lines.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import knexFactory from 'knex';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPinoLogger } from '../../plugin/index.js';
import { buildEventXml, sealCallback } from '../../simulator/sealing.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createWecomSimulator } from '../../simulator/server.js';
import { addRobot } from '../alerts/sim-helpers.js';
import { control } from '../wecom/helpers.js';
import { TEST_CALLBACK_SECRETS, TEST_WECOM } from '../support/credentials.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, actorWithRole, startTestPlugin, TEST_WECOM_CONFIG, type TestPlugin } from '../support/plugin-app.js';

/** Prometheus text → `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

function pinoLines() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

let db: TestDatabase;
let sim: WecomSimulator;
let plugin: TestPlugin;
const log = pinoLines();

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await createWecomSimulator({ corpId: TEST_WECOM.corpId, corpSecret: TEST_WECOM.corpSecret, robotWindowScale: 400 / 60_000 });
  await addRobot(sim, { kind: 'wecom', key: 'robot-hq-key-123' });
  await control(sim, 'POST', '/sim/members', { members: [{ userid: 'zhangsan', name: '张三' }] });
  plugin = await startTestPlugin({
    db: db.knex,
    logger: createPinoLogger(log.logger),
    config: {
      wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url },
      alerts: {
        robots: [
          { id: 'hq', channel: 'wecom', key: 'robot-hq-key-123' },
          { id: 'ghost', channel: 'wecom', key: 'robot-not-registered' },
        ],
        hqRobots: ['hq', 'ghost'],
        robotBaseUrls: { wecom: sim.url, dingtalk: sim.url, feishu: sim.url },
        perRobotPerMinute: 1,
        rateWindowMs: 400,
        maxAttempts: 1,
      },
    },
  });
  await db.knex('wss_wecom_accounts').insert({ userid: 'zhangsan', name: '张三' });
  await plugin.service.start({ jobs: false });
});
afterAll(async () => {
  await plugin?.close();
  await sim?.close();
  await db?.destroy();
});

const metricsNow = async () => {
  const res = await plugin.request('/ops/metrics', { actor: ACTORS.hq });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parseMetrics(res.body as string);
};
const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

function event(overrides: Record<string, unknown> = {}) {
  return { id: randomUUID(), type: 'order_result_view', storeId: 'S1', visitorId: `v-${randomUUID()}`, clientType: 'h5', occurredAt: Date.now() - 1000, ...overrides };
}

async function postCallback(fields: Record<string, string | number>, opts: { tamper?: boolean; sealed?: ReturnType<typeof sealCallback> } = {}) {
  const xml = buildEventXml({ ToUserName: TEST_CALLBACK_SECRETS.corpId, FromUserName: 'sys', MsgType: 'event', Event: 'change_external_contact', ...fields });
  const sealed = opts.sealed ?? sealCallback(TEST_CALLBACK_SECRETS, xml);
  const query = { ...sealed.query, ...(opts.tamper ? { msg_signature: 'f'.repeat(40) } : {}) };
  await fetch(`${plugin.url}${plugin.service.config.routesPrefix}/wecom/callback?${new URLSearchParams(query)}`, {
    method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body,
  });
  return sealed;
}

describe('Prometheus metrics', () => {
  it('moves every counter when the thing it counts happens', async () => {
    const before = await metricsNow();

    // Events: two accepted, one duplicate (same id twice in a batch), one rejected.
    const kept = event();
    await plugin.request('/public/events', { method: 'POST', body: { events: [kept, event(), kept, event({ type: 'nonsense' })] } });

    // Callbacks: one received and applied, the same one again (deduplicated), one with a bad signature.
    const createTime = Math.floor(Date.now() / 1000);
    const add = { ChangeType: 'add_external_contact', UserID: 'zhangsan', ExternalUserID: 'wm-metrics-1', CreateTime: createTime };
    const sealed = await postCallback(add);
    await postCallback(add, { sealed });
    await postCallback(add, { tamper: true });
    await plugin.service.services.wecomCallbacks.idle();

    // Alerts: one warning to two robots (queued 2); `hq` delivers, `ghost` is refused for good;
    // a second one to both waits for each robot's window (one message per window here).
    await plugin.service.services.alerts.enqueue(db.knex, [{ key: 'm1', kind: 'capacity_warning', text: '张三(账号:zhangsan)客户容量已达到70%', branchIds: [] }]);
    expect((await plugin.service.jobs.runNow('alert-delivery')).outcome).toBe('ok');
    await plugin.service.services.alerts.enqueue(db.knex, [{ key: 'm2', kind: 'capacity_warning', text: '张三(账号:zhangsan)客户容量已达到80%', branchIds: [], hqOnly: true }]);
    await plugin.service.jobs.runNow('alert-delivery');

    // WeCom API: a member that exists (errcode 0) and one that does not (60111).
    await plugin.service.services.wecom.getUser('zhangsan');
    await plugin.service.services.wecom.getUser('nobody').catch(() => undefined);

    // Entry cache: the first read misses, the second hits (the listener is live after start()).
    await plugin.request('/public/entry/S1');
    await plugin.request('/public/entry/S1');

    // Store-account lookups: the same store twice.
    for (let i = 0; i < 2; i++) await plugin.service.services.bindings.storeAccount('S1').catch(() => undefined);

    const after = await metricsNow();
    const moved = (key: string) => value(after, key) - value(before, key);
    expect(moved('wss_tracking_events_total{outcome="accepted"}')).toBe(2);
    expect(moved('wss_tracking_events_total{outcome="duplicate"}')).toBe(1);
    expect(moved('wss_tracking_events_total{outcome="rejected"}')).toBe(1);
    expect(moved('wss_wecom_callbacks_total{outcome="received"}')).toBe(2);
    expect(moved('wss_wecom_callbacks_total{outcome="deduplicated"}')).toBe(1);
    expect(moved('wss_wecom_callbacks_total{outcome="applied"}')).toBe(1);
    expect(moved('wss_wecom_callbacks_total{outcome="rejected"}')).toBe(1);
    expect(moved('wss_alerts_total{outcome="queued"}')).toBe(4);
    expect(moved('wss_alerts_total{outcome="sent"}')).toBe(1);
    expect(moved('wss_alerts_total{outcome="failed"}')).toBe(1);
    expect(moved('wss_robot_rate_limit_waits_total{channel="wecom"}')).toBe(2);
    expect(moved('wss_job_runs_total{job="alert-delivery",outcome="ok"}')).toBe(2);
    expect(moved('wss_job_duration_seconds_count{job="alert-delivery"}')).toBe(2);
    expect(moved('wss_job_duration_seconds_sum{job="alert-delivery"}')).toBeGreaterThan(0);
    expect(moved('wss_wecom_api_calls_total{api="/cgi-bin/user/get",errcode="0"}')).toBe(1);
    expect(moved('wss_wecom_api_calls_total{api="/cgi-bin/user/get",errcode="60111"}')).toBe(1);
    expect(moved('wss_wecom_api_calls_total{api="/cgi-bin/gettoken",errcode="0"}')).toBe(1);
    expect(moved('wss_entry_cache_total{result="miss"}')).toBe(1);
    expect(moved('wss_entry_cache_total{result="hit"}')).toBe(1);
    expect(moved('wss_store_account_cache_total{result="miss"}')).toBe(1);
    expect(moved('wss_store_account_cache_total{result="hit"}')).toBe(1);

    // The counters agree with the rows they count.
    const sent = await db.knex('wss_alert_outbox').where({ status: 'sent' }).count<{ count: string }[]>('* as count');
    expect(Number(sent[0].count)).toBe(value(after, 'wss_alerts_total{outcome="sent"}'));
  });

  it('needs the operations permission', async () => {
    expect((await plugin.request('/ops/metrics', { actor: ACTORS.adminB1 })).status).toBe(403);
    expect((await plugin.request('/ops/metrics')).status).toBe(401);
  });

  it("counts into the host's registry when it passes one, and leaves the route to the host", async () => {
    const registry = new Registry();
    const withRegistry = await (await import('../../plugin/index.js')).createWecomStoreService({
      db: db.knex, host: { authenticate: () => ACTORS.hq, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
      config: { wecom: TEST_WECOM_CONFIG }, metrics: { registry, prefix: 'crm_wss_' },
    });
    await withRegistry.services.tracking.ingest({ events: [event()] }, '127.0.0.9');
    const text = await registry.metrics();
    expect(parseMetrics(text).get('crm_wss_tracking_events_total{outcome="accepted"}')).toBe(1);
    expect(withRegistry.routes.some((r) => r.path === '/ops/metrics')).toBe(false);
    expect(withRegistry.routes.find((r) => r.path === '/ops/health')?.access).toBe('wecom-store-service.operations:read');
    await withRegistry.close();
  });
});

describe('health route', () => {
  it('reports the database, the live listener and the last job runs', async () => {
    await plugin.service.jobs.runNow('alert-delivery');
    const res = await plugin.request('/ops/health', { actor: ACTORS.hq });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { ok: true }, entryListener: { live: true } });
    const delivery = res.body.jobs.find((j: { id: string }) => j.id === 'alert-delivery');
    expect(delivery).toMatchObject({ lastOutcome: 'ok', running: false, enabled: true });
    expect(Date.parse(delivery.lastFinishedAt)).toBeGreaterThanOrEqual(Date.parse(delivery.lastStartedAt));
  });

  it('answers 503 when the database is gone, and degraded before the listener is live', async () => {
    const dead = knexFactory({ client: 'pg', connection: 'postgres://nobody@127.0.0.1:1/none', pool: { min: 0, max: 1 }, acquireConnectionTimeout: 1500 });
    const down = await startTestPlugin({ db: db.knex, config: { wecom: TEST_WECOM_CONFIG } });
    const { createWecomStoreService } = await import('../../plugin/index.js');
    const service = createWecomStoreService({
      db: dead, host: { authenticate: () => ACTORS.hq, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
      config: { wecom: TEST_WECOM_CONFIG },
    });
    const health = await service.services.operations.health();
    expect(health).toMatchObject({ status: 'down', database: { ok: false }, jobs: [] });
    // A second plugin that never started its listener: entries come from the database.
    const notStarted = await down.request('/ops/health', { actor: actorWithRole('hq-wecom-ops', 'all', 'hq2') });
    expect(notStarted.body).toMatchObject({ status: 'degraded', database: { ok: true }, entryListener: { live: false } });
    await down.close();
    await dead.destroy();
  });
});

describe('pino adapter', () => {
  it('writes structured lines with request id, job id and account, and no secret', async () => {
    log.lines.length = 0;
    await plugin.request('/public/events', { method: 'POST', body: 'not json', headers: { 'content-type': 'application/json' } });
    // A failing robot logs the account and the robot, never the robot key.
    await plugin.service.services.alerts.enqueue(db.knex, [{ key: 'm3', kind: 'capacity_warning', text: 'x', branchIds: [], accountId: 7 }]);
    await new Promise((r) => setTimeout(r, 450));
    await plugin.service.jobs.runNow('alert-delivery');
    const logger = createPinoLogger(log.logger, { secrets: () => [TEST_WECOM.corpSecret] });
    logger.warn(`token refresh with corpsecret=${TEST_WECOM.corpSecret}`, { requestId: 'r-1', jobId: 'capacity-sync', account: 'zhangsan', access_token: 'tok-abcdef', url: `https://qyapi/x?key=robot-hq-key-123` });

    const text = JSON.stringify(log.lines);
    for (const secret of [TEST_WECOM.corpSecret, 'robot-hq-key-123', 'robot-not-registered', 'tok-abcdef']) expect(text).not.toContain(secret);
    const line = log.lines.find((l) => l.requestId === 'r-1')!;
    expect(line).toMatchObject({ level: 40, plugin: 'wecom-store-service', jobId: 'capacity-sync', account: 'zhangsan', access_token: '[REDACTED]' });
    expect(line.msg).toBe('token refresh with corpsecret=[REDACTED]');
    const failed = log.lines.find((l) => l.msg === 'alert delivery failed for good');
    expect(failed).toMatchObject({ plugin: 'wecom-store-service', robot: 'ghost' });
  });
});
