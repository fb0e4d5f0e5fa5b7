import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { addRobot, startRobotSimulator } from '../alerts/sim-helpers.js';
import { seedStores } from './fixtures.js';

let db: TestDatabase;
let plugin: TestPlugin;
let sim: WecomSimulator;
let ids: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startRobotSimulator(60_000);
  await addRobot(sim, { kind: 'wecom', key: 'hq-robot-key-123456' });
  await addRobot(sim, { kind: 'dingtalk', key: 'b1-ding-token-0001', secret: 'SECb1secret-value' });
  plugin = await startTestPlugin({
    db: db.knex,
    config: {
      capacity: { thresholds: [70, 85, 95] },
      alerts: {
        robots: [
          { id: 'hq', name: '总部群', channel: 'wecom', key: 'hq-robot-key-123456' },
          { id: 'b1', name: '华东群', channel: 'dingtalk', key: 'b1-ding-token-0001', secret: 'SECb1secret-value' },
          { id: 'b2', channel: 'wecom', key: 'b2-robot-key-123456' },
        ],
        hqRobots: ['hq'],
        branchRobots: { B1: ['b1'], B2: ['b2'] },
        robotBaseUrls: { wecom: sim.url, dingtalk: sim.url, feishu: sim.url },
      },
    },
  });
  ids = await seedStores(db.knex, [
    { id: 'S1', branchId: 'B1', accounts: [{ userid: 'kf_s1', role: 'primary', count: 90, limit: 100 }] },
    { id: 'S2', branchId: 'B1', accounts: [{ userid: 'kf_s2', role: 'primary', count: 10, limit: 100 }] },
    { id: 'S3', branchId: 'B2', accounts: [{ userid: 'kf_s3', role: 'primary', count: 70, limit: 100 }] },
  ]);
});
afterAll(async () => {
  await plugin.close();
  await sim.close();
  await db.destroy();
});

describe('capacity API', () => {
  it('lists accounts fullest first with bands and forecast, in the actor scope', async () => {
    const hq = await plugin.request('/capacity/accounts', { actor: ACTORS.hq });
    expect(hq.status).toBe(200);
    expect(hq.body.items.map((a: any) => a.userid)).toEqual(['kf_s1', 'kf_s3', 'kf_s2']);
    expect(hq.body.bands).toEqual([
      { from: 0, to: 70, count: 1 },
      { from: 70, to: 85, count: 1 },
      { from: 85, to: 95, count: 1 },
      { from: 95, to: null, count: 0 },
    ]);
    expect(hq.body.items[0]).toMatchObject({ percent: 90, stores: [{ storeId: 'S1', branchId: 'B1', role: 'primary', routedTo: 'primary' }], forecast: { nextLevel: 95, daysToFull: null } });
    expect(hq.body.can).toEqual({ editLimits: true, readAlerts: true, manageAlerts: true });

    const b1 = await plugin.request('/capacity/accounts?minPercent=50', { actor: ACTORS.adminB1 });
    expect(b1.body.items.map((a: any) => a.userid)).toEqual(['kf_s1']);
    expect(b1.body.can).toEqual({ editLimits: false, readAlerts: true, manageAlerts: false });
    expect((await plugin.request('/capacity/accounts?branchId=B1', { actor: ACTORS.adminB2 })).status).toBe(403);
    expect((await plugin.request('/capacity/accounts', { actor: ACTORS.viewerB1 })).status).toBe(200);
    expect((await plugin.request('/capacity/accounts')).status).toBe(401);
  });

  it('lets only HQ edit a limit (≤20,000), audits it, and re-checks thresholds at once', async () => {
    const forbidden = await plugin.request(`/capacity/accounts/${ids.kf_s2}/limit`, { actor: ACTORS.adminB1, method: 'PUT', body: { limit: 200 } });
    expect(forbidden.status).toBe(403);
    const tooBig = await plugin.request(`/capacity/accounts/${ids.kf_s2}/limit`, { actor: ACTORS.hq, method: 'PUT', body: { limit: 20001 } });
    expect(tooBig.status).toBe(400);
    expect(Object.keys(tooBig.body.error.details.fields)).toEqual(['limit']);
    const unknown = await plugin.request(`/capacity/accounts/${ids.kf_s2}/limit`, { actor: ACTORS.hq, method: 'PUT', body: { limit: 200, color: 'red' } });
    expect(unknown.body.error.details.fields).toEqual({ color: 'unknown field' });
    expect((await plugin.request('/capacity/accounts/999999/limit', { actor: ACTORS.hq, method: 'PUT', body: { limit: 10 } })).status).toBe(404);

    const lowered = await plugin.request(`/capacity/accounts/${ids.kf_s2}/limit`, { actor: ACTORS.hq, method: 'PUT', body: { limit: 14, reason: '测试' } });
    expect(lowered.status).toBe(200);
    expect(lowered.body.account).toMatchObject({ limit: 14, percent: 71.4 });
    const audit = await db.knex('wss_audit_log').where('action', 'capacity.limit.update').first();
    expect(audit).toMatchObject({ actor_id: 'hq', entity_id: ids.kf_s2, before: { limit: 100 }, after: { limit: 14 } });
    const queued = await db.knex('wss_alert_outbox').where('account_id', ids.kf_s2).pluck('robot_id');
    expect(queued.sort()).toEqual(['b1', 'hq']);
  });
});

describe('alerts API', () => {
  it('shows rules and routing without any key or secret, narrowed to the branch', async () => {
    const hq = await plugin.request('/alerts/rules', { actor: ACTORS.hq });
    expect(hq.status).toBe(200);
    expect(hq.body.rules).toMatchObject({ thresholds: [70, 85, 95], hardLevel: 95, template: '{账号名称}(账号:{userid})客户容量已达到{level}%,请及时处理。' });
    expect(hq.body.routing.robots.map((r: any) => r.id)).toEqual(['hq', 'b1', 'b2']);
    expect(hq.body.routing.robots[1]).toMatchObject({ channel: 'dingtalk', signed: true });
    const text = JSON.stringify(hq.body);
    for (const secret of ['hq-robot-key-123456', 'b1-ding-token-0001', 'SECb1secret-value', 'b2-robot-key-123456']) expect(text).not.toContain(secret);
    const b1 = await plugin.request('/alerts/rules', { actor: ACTORS.adminB1 });
    expect(b1.body.routing.branchRobots).toEqual({ B1: ['b1'] });
    expect(b1.body.routing.robots.map((r: any) => r.id)).toEqual(['hq', 'b1']);
    expect((await plugin.request('/alerts/rules', { actor: ACTORS.viewerB1 })).status).toBe(403);
  });

  it('sends a test message (HQ only) and shows the delivery log with attempts in scope', async () => {
    expect((await plugin.request('/alerts/robots/hq/test', { actor: ACTORS.adminB1, method: 'POST' })).status).toBe(403);
    expect((await plugin.request('/alerts/robots/nope/test', { actor: ACTORS.hq, method: 'POST' })).status).toBe(404);
    const test = await plugin.request('/alerts/robots/b1/test', { actor: ACTORS.hq, method: 'POST' });
    expect(test.status).toBe(200);
    expect(test.body.delivery).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sim.state.robotMessages.some((m) => m.kind === 'dingtalk' && m.content.startsWith('【测试消息】'))).toBe(true);

    const hqLog = await plugin.request('/alerts/deliveries', { actor: ACTORS.hq });
    expect(hqLog.body.items.map((d: any) => d.kind)).toContain('test');
    const b1Log = await plugin.request('/alerts/deliveries', { actor: ACTORS.adminB1 });
    expect(b1Log.body.items.length).toBeGreaterThan(0);
    expect(b1Log.body.items.every((d: any) => d.branchId === 'B1')).toBe(true);
    const b2Log = await plugin.request('/alerts/deliveries?status=sent', { actor: ACTORS.adminB2 });
    expect(b2Log.body.items.every((d: any) => d.branchId === 'B2')).toBe(true);

    const sent = hqLog.body.items.find((d: any) => d.kind === 'test');
    const tries = await plugin.request(`/alerts/deliveries/${sent.id}/attempts`, { actor: ACTORS.hq });
    expect(tries.body.items).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent' })]);
    expect((await plugin.request(`/alerts/deliveries/${sent.id}/attempts`, { actor: ACTORS.adminB1 })).status).toBe(404);
    expect((await plugin.request('/alerts/deliveries?status=lost', { actor: ACTORS.hq })).status).toBe(400);
  });
});
