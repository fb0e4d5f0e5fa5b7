import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { createWecomSimulator, type WecomSimulator } from '../../simulator/server.js';
import { createWecomClient } from '../../plugin/wecom/client.js';
import { createMemoryTokenStore } from '../../plugin/wecom/token-store.js';
import { buildFeature, ROBOTS, seedStores } from './fixtures.js';

let db: TestDatabase;
let sim: WecomSimulator;
let ids: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await createWecomSimulator({
    perApiLimitPerMinute: 5,
    rateLimitWindowMs: 300,
    members: [
      { userid: 'kf_a', customers: 75 },
      { userid: 'kf_b', customers: 0 },
      { userid: 'kf_old', customers: 40 },
      { userid: 'kf_free', customers: 9 },
      ...Array.from({ length: 12 }, (_, i) => ({ userid: `kf_n${i}`, customers: i })),
    ],
  });
  ids = await seedStores(db.knex, [
    { id: 'S1', branchId: 'B1', accounts: [{ userid: 'kf_a', role: 'primary', count: 70 }, { userid: 'kf_b', role: 'backup', count: 3 }, { userid: 'kf_old', role: 'retired', count: 40, ended: true }] },
    { id: 'S2', branchId: 'B2', accounts: [{ userid: 'kf_gone', role: 'primary', count: 5 }, ...Array.from({ length: 12 }, (_, i) => ({ userid: `kf_n${i}`, role: 'backup' as const, count: i }))] },
  ]);
  // Known to the plugin but bound to no store: not reconciled.
  await db.knex('wss_wecom_accounts').insert({ userid: 'kf_free', customer_count: 1 });
});
afterAll(async () => {
  await sim.close();
  await db.destroy();
});

describe('capacity-sync: reconcile with externalcontact/list', () => {
  it('counts every bound account (retired too) within the API budget, records drift, and checks thresholds', async () => {
    const wecom = createWecomClient({
      baseUrl: sim.url,
      corpId: sim.options.corpId,
      corpSecret: sim.options.corpSecret,
      tokenStore: createMemoryTokenStore(),
      limits: { perApiPerMinute: 5, windowMs: 300, concurrency: 4 },
      retry: { rateLimitRetries: 0 },
    });
    const { capacity } = buildFeature(db.knex, { capacity: { thresholds: [70] }, alerts: ROBOTS }, { wecom });
    const report = await capacity.sync();
    expect(report).toMatchObject({ accounts: 16, counted: 15, failed: 1, drifted: 2, totalAbsDrift: 5 + 3, warningsQueued: 2 });

    const count = async (userid: string) => (await db.knex('wss_wecom_accounts').where('userid', userid).first()).customer_count;
    expect(await count('kf_a')).toBe(75);
    expect(await count('kf_b')).toBe(0); // 84061 = no customers
    expect(await count('kf_free')).toBe(1); // not bound: untouched
    const drift = await db.knex('wss_capacity_sync_state').where('account_id', ids.kf_a).first();
    expect(drift).toMatchObject({ live_count: 70, wecom_count: 75, drift: 5, error: null });
    const gone = await db.knex('wss_capacity_sync_state').where('account_id', ids.kf_gone).first();
    expect(gone.error).toContain('60111');
    expect(gone.error).not.toContain('access_token=');

    const list = sim.counters()['/cgi-bin/externalcontact/list'];
    expect(list.calls).toBe(16);
    expect(list.errors['45009']).toBeUndefined();
    expect(list.maxPerWindow).toBeLessThanOrEqual(5);
    const keys = await db.knex('wss_alert_outbox').pluck('idempotency_key');
    expect(keys.sort()).toEqual([`capacity:${ids.kf_a}:70:1:b1`, `capacity:${ids.kf_a}:70:1:hq`]);
  });
});
