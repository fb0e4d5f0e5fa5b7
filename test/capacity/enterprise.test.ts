import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, TEST_WECOM_CONFIG, type TestPlugin } from '../support/plugin-app.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { control, startSimulator } from '../wecom/helpers.js';
import { ROBOTS, seedStores } from './fixtures.js';
import type { EnterpriseCapacityBody } from '../../plugin/contract/index.js';

// Three accounts, ten customers following two of them: WeCom's scale counts each customer once.
let db: TestDatabase;
let sim: WecomSimulator;
let plugin: TestPlugin;

const enterpriseWarnings = () => db.knex('wss_alert_outbox').where('kind', 'enterprise_capacity').orderBy('id').select('idempotency_key', 'payload');
const sync = () => plugin.service.services.capacity.sync();
const view = async () => (await plugin.request('/capacity/enterprise', { actor: ACTORS.hq })).body as EnterpriseCapacityBody;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ members: [{ userid: 'kf_e1', customers: 40 }, { userid: 'kf_e2', customers: 20 }, { userid: 'kf_e3', customers: 5 }] });
  for (const relation of sim.state.relations.filter((r) => r.userid === 'kf_e1').slice(0, 10)) {
    await control(sim, 'POST', '/sim/customers/add', { userid: 'kf_e2', externalUserId: relation.external_userid, wait: 'none' });
  }
  plugin = await startTestPlugin({ db: db.knex, config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url }, alerts: ROBOTS } });
  await seedStores(db.knex, [
    { id: 'S_E1', branchId: 'B1', accounts: [{ userid: 'kf_e1', role: 'primary', limit: 5000 }, { userid: 'kf_e2', role: 'backup', limit: 5000 }] },
    { id: 'S_E2', branchId: 'B2', accounts: [{ userid: 'kf_e3', role: 'primary', limit: 5000 }] },
  ]);
});
afterAll(async () => {
  await plugin.close();
  await sim.close();
  await db.destroy();
});

describe('enterprise-wide capacity', () => {
  it('counts each customer once, warns HQ once when the purchased scale’s level is crossed, and forgets nothing', async () => {
    expect((await plugin.request('/capacity/enterprise', { actor: ACTORS.adminB1, method: 'PUT', body: { purchasedScale: 100 } })).status).toBe(403);
    expect((await plugin.request('/capacity/enterprise', { actor: ACTORS.hq, method: 'PUT', body: { purchasedScale: 0 } })).status).toBe(400);
    const set = await plugin.request('/capacity/enterprise', { actor: ACTORS.hq, method: 'PUT', body: { purchasedScale: 100, reason: '已购买100人规模' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ purchasedScale: 100, deduplicated: false });

    await sync();
    // 40 + 30 + 5 relations, 65 customers.
    expect(await view()).toMatchObject({ total: 65, deduplicated: true, percent: 65, purchasedScale: 100, levels: [70] });
    expect(await enterpriseWarnings()).toHaveLength(0);

    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'kf_e3', count: 11 });
    await sync();
    expect(await view()).toMatchObject({ total: 71, percent: 71 });
    const warnings = await enterpriseWarnings();
    expect(warnings.map((w) => w.idempotency_key)).toEqual(['enterprise:70:1:hq']);
    expect(warnings[0].payload.text).toContain('企业客户总数 71 人，已达到已购买规模 100 人的 70%');

    // Still above: no second warning, from the sync or from a count moving between syncs.
    await sync();
    await db.knex('wss_wecom_accounts').where({ userid: 'kf_e3' }).update({ customer_count: 12 });
    expect(await plugin.service.services.capacity.enterprise()).toMatchObject({ total: 72 });
    await sync();
    expect(await enterpriseWarnings()).toHaveLength(1);

    // Below the level by more than the margin, then above again: a second crossing, warned once more.
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'kf_e1', count: 25 });
    await sync();
    expect((await view()).total).toBe(56);
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'kf_e1', count: 40 });
    await sync();
    expect((await enterpriseWarnings()).map((w) => w.idempotency_key)).toEqual(['enterprise:70:1:hq', 'enterprise:70:2:hq']);

    const audit = await db.knex('wss_audit_log').where({ action: 'capacity.enterprise_scale.update' }).first();
    expect(audit).toMatchObject({ actor_id: 'hq', reason: '已购买100人规模' });
  });
});
