import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../demo/environment.js';
import { silentLogger } from '../../plugin/core/logger.js';

let db: TestDatabase;
let demo: DemoEnvironment;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  demo = await startDemoEnvironment({ databaseUrl: db.url, logger: silentLogger });
});
afterAll(async () => {
  await demo?.close();
  await db?.destroy();
});

const sim = async (path: string, body: unknown) => {
  const res = await fetch(`${demo.simulator.url}/sim/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<{ external_userid: string }>;
};
const count = async (userid: string) => (await demo.db('wss_wecom_accounts').where({ userid }).first('customer_count')).customer_count as number;

describe('demo: a simulated customer reaches the plugin through an encrypted callback', () => {
  it('changes the account live count by delta on top of the reconciled figure, once per event', async () => {
    // As if the capacity reconcile had counted 1,200 customers in WeCom's list.
    await demo.db('wss_wecom_accounts').insert({ userid: 'kf_s2001', name: '测试', customer_count: 1200 });

    const added = await sim('customers/add', { userid: 'kf_s2001', state: 'wss:s:S2001', wait: 'delivered' });
    await demo.service.services.wecomCallbacks.idle();
    expect(await count('kf_s2001')).toBe(1201);
    const contact = await demo.db('wss_wecom_contacts').where({ external_userid: added.external_userid }).first();
    expect(contact).toMatchObject({ account_userid: 'kf_s2001', state: 'wss:s:S2001', deleted_at: null });

    // WeCom's retry of the same event (same CreateTime) is deduplicated.
    const [event] = await demo.db('wss_wecom_callback_events').select();
    expect(event).toBeTruthy();
    await demo.service.services.wecomCallbacks.processPending();
    expect(await count('kf_s2001')).toBe(1201);

    await sim('customers/delete', { userid: 'kf_s2001', externalUserId: added.external_userid, by: 'customer', wait: 'delivered' });
    await demo.service.services.wecomCallbacks.idle();
    expect(await count('kf_s2001')).toBe(1200);
    expect((await demo.db('wss_wecom_contacts').where({ external_userid: added.external_userid }).first()).deleted_by).toBe('customer');
  });
});
