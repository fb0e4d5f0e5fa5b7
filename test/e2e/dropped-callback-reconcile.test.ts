import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startDemoEnvironment, type DemoEnvironment } from '../../demo/environment.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { todayIn } from '../../plugin/core/days.js';

// A customer adds the store's account but WeCom gives up on the callback (dropped after its
// retries); another relation ends without its delete callback. The contact reconcile
// (externalcontact/batch/get_by_user on the simulator) recovers the add — contact row, confirmed add
// attributed through the live code's state, dated by WeCom's createtime — ends the gone relation,
// respects a tombstone, and the stats count the recovered add as a recount from raw rows does.
const STORE = 'S1005';
const PRIMARY = 'kf_s1005';

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
const contact = (externalUserId: string) => demo.db('wss_wecom_contacts').where({ account_userid: PRIMARY, external_userid: externalUserId }).first();
const addsOf = (externalUserId: string) => demo.db('wss_tracking_events').where('type', 'confirmed_add').whereRaw("props->>'externalUserid' = ?", [externalUserId]);

describe('a dropped callback is recovered by the contact reconcile', () => {
  const customers: Record<string, string> = {};
  let liveCodeState = '';

  it('binds and shows the store; one add arrives, one add callback and one delete callback are dropped', async () => {
    await sim('POST', 'customers/set-count', { userid: PRIMARY, count: 0 });
    expect((await api('admin-br-east', 'POST', `/stores/${STORE}/bindings`, { userid: PRIMARY, role: 'primary' })).status).toBe(200);
    expect((await api('hq-ops', 'PUT', `/stores/${STORE}/entry`, { visible: true })).status).toBe(200);
    const code = await demo.db('wss_store_live_codes').where('store_id', STORE).first();
    liveCodeState = code.state;

    const kept = await sim('POST', 'customers/add', { configId: code.config_id, wait: 'delivered' });
    const leaver = await sim('POST', 'customers/add', { configId: code.config_id, wait: 'delivered' });
    await demo.service.services.wecomCallbacks.idle();
    customers.kept = kept.external_userid;
    customers.leaver = leaver.external_userid;
    expect(await contact(customers.kept)).toBeTruthy();

    await sim('POST', 'faults/callbacks', { drop: 2 });
    const lost = await sim('POST', 'customers/add', { configId: code.config_id });
    expect(lost.callback.status).toBe('dropped');
    customers.lost = lost.external_userid;
    const gone = await sim('POST', 'customers/delete', { userid: PRIMARY, externalUserId: customers.leaver, by: 'customer' });
    expect(gone.callback.status).toBe('dropped');
    await demo.service.services.wecomCallbacks.idle();
    expect(await contact(customers.lost)).toBeUndefined();
    expect(await addsOf(customers.lost)).toHaveLength(0);
    expect((await contact(customers.leaver)).deleted_at).toBeNull();

    // A relation WeCom lists whose later delete the plugin holds as a tombstone stays deleted.
    const tomb = await sim('POST', 'customers/add', { userid: PRIMARY, wait: 'delivered' });
    await demo.service.services.wecomCallbacks.idle();
    customers.tomb = tomb.external_userid;
    await demo.db('wss_wecom_callback_events').where('external_userid', customers.tomb).del();
    await demo.db('wss_wecom_contacts').where('external_userid', customers.tomb).del();
    await demo.db('wss_wecom_contact_tombstones').insert({ account_userid: PRIMARY, external_userid: customers.tomb, deleted_at: new Date(Date.now() + 60_000), deleted_by: 'customer' });
  });

  it('the reconcile recovers the add (state, createtime), ends the gone relation and keeps the tombstoned one deleted', async () => {
    await sim('POST', 'callbacks/wait');
    await demo.service.services.wecomCallbacks.idle();
    await sim('POST', 'counters/reset');
    const report = await demo.service.services.wecomCallbacks.reconcileContacts({ userids: [PRIMARY], settleMarginMs: 0 });
    expect(report).toMatchObject({ accounts: 1, listed: 3, recoveredAdds: 1, endedRelations: 1, keptDeleted: 1, failed: 0 });
    expect(report.byAccount).toEqual([{ userid: PRIMARY, recoveredAdds: 1, endedRelations: 1 }]);
    const counters = await sim('GET', 'counters');
    expect(counters['/cgi-bin/externalcontact/batch/get_by_user'].ok).toBe(1);

    const relation = demo.simulator.state.relations.find((r) => r.external_userid === customers.lost)!;
    const row = await contact(customers.lost);
    expect(row).toMatchObject({ state: liveCodeState, deleted_at: null });
    expect(row.first_added_at.getTime()).toBe(relation.createtime * 1000);
    const adds = await addsOf(customers.lost);
    expect(adds).toHaveLength(1);
    expect(adds[0]).toMatchObject({ store_id: STORE });
    expect(adds[0].occurred_at.getTime()).toBe(relation.createtime * 1000);
    expect((await contact(customers.leaver)).deleted_at).not.toBeNull();
    expect(await contact(customers.tomb)).toBeUndefined();

    const state = await demo.db('wss_contact_reconcile_state').where('account_userid', PRIMARY).first();
    expect(state).toMatchObject({ listed: 3, recovered_adds: 1, ended_relations: 1, kept_deleted: 1, error: null });

    // The enterprise-wide first add of the recovered customer is WeCom's createtime.
    const firstAdd = await api('hq-ops', 'GET', `/customers/${customers.lost}/first-add`);
    expect(firstAdd.body.firstAddedAt).toBe(new Date(relation.createtime * 1000).toISOString());

    // Idempotent: a second pass finds nothing more.
    const again = await demo.service.services.wecomCallbacks.reconcileContacts({ userids: [PRIMARY], settleMarginMs: 0 });
    expect(again).toMatchObject({ recoveredAdds: 0, endedRelations: 0 });
    expect(await addsOf(customers.lost)).toHaveLength(1);
  });

  it('after the rollup the recovered add is in the stats, equal to a recount from the raw events', async () => {
    const run = await demo.service.jobs.runNow('metrics-rollup');
    expect(run.outcome).toBe('ok');
    const today = todayIn('Asia/Shanghai');
    const raw = await demo.db('wss_tracking_events').where({ type: 'confirmed_add', store_id: STORE, day: today }).select('props', 'guide_visit_id');
    const addedCustomers = new Set(raw.map((r) => r.props.externalUserid));
    expect(addedCustomers.has(customers.lost)).toBe(true);
    const expectedAdds = addedCustomers.size;
    const expectedDirect = new Set(raw.filter((r) => !r.guide_visit_id).map((r) => r.props.externalUserid)).size;
    const body = (await api('hq-ops', 'GET', `/stats/stores/${STORE}?from=${today}&to=${today}`)).body;
    expect(body.funnel.confirmedAdds).toBe(expectedAdds);
    expect(body.funnel.directAdds).toBe(expectedDirect);
  });
});
