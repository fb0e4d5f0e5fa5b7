import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, TEST_WECOM_CONFIG, type TestPlugin } from '../support/plugin-app.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { clientFor, control, startSimulator } from '../wecom/helpers.js';
import { seedStores } from '../capacity/fixtures.js';
import type { HandoverDetailBody, HandoverListBody } from '../../plugin/contract/index.js';

// Store S_LEFT: its primary left the company; two backups share its customers by room below the
// hard level (95 % of 100). Store S_REPL: HQ replaced a full account (retired, still in service);
// WeCom's rules decide some customers. Store S_FULL: the only taker has no room.
let db: TestDatabase;
let sim: WecomSimulator;
let plugin: TestPlugin;

const relations = (userid: string) => sim.state.relations.filter((r) => r.userid === userid).map((r) => r.external_userid);
const liveCount = async (userid: string) => Number((await db.knex('wss_wecom_accounts').where({ userid }).first('customer_count')).customer_count);
const run = () => plugin.service.services.handover.run();
const advance = (hours: number) => control(sim, 'POST', '/sim/clock/advance', { hours });
async function handoverOf(userid: string): Promise<HandoverDetailBody> {
  const list = (await plugin.request('/handovers', { actor: ACTORS.hq })).body as HandoverListBody;
  const item = list.items.find((i) => i.handover.userid === userid);
  if (!item) throw new Error(`no handover for ${userid}`);
  return (await plugin.request(`/handovers/${item.id}`, { actor: ACTORS.hq })).body as HandoverDetailBody;
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({
    members: [
      { userid: 'kf_left', customers: 6 },
      { userid: 'kf_near_full', capacity: 100, customers: 93 },
      { userid: 'kf_roomy', capacity: 100 },
      { userid: 'kf_replaced', customers: 4 },
      { userid: 'kf_new_primary', capacity: 100 },
      { userid: 'kf_elsewhere' },
      { userid: 'kf_old_full_store', customers: 2 },
      { userid: 'kf_full', capacity: 100, customers: 95 },
    ],
  });
  plugin = await startTestPlugin({ db: db.knex, config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url } } });
  await seedStores(db.knex, [
    { id: 'S_LEFT', branchId: 'B1', accounts: [{ userid: 'kf_left', role: 'primary', count: 6 }, { userid: 'kf_near_full', role: 'backup', count: 93 }, { userid: 'kf_roomy', role: 'backup', count: 0 }] },
    { id: 'S_REPL', branchId: 'B2', accounts: [{ userid: 'kf_new_primary', role: 'primary', count: 0 }, { userid: 'kf_replaced', role: 'retired', count: 4 }] },
    { id: 'S_FULL', branchId: 'B1', accounts: [{ userid: 'kf_full', role: 'primary', count: 95 }, { userid: 'kf_old_full_store', role: 'retired', count: 2 }] },
  ]);
});
afterAll(async () => {
  await plugin.close();
  await sim.close();
  await db.destroy();
});

describe('handover of a member who left', () => {
  it('proposes, waits for HQ, splits by room below the hard level, polls the results and moves the counts', async () => {
    await control(sim, 'POST', '/sim/members', { userid: 'kf_left', status: 5 });
    await db.knex('wss_wecom_accounts').where({ userid: 'kf_left' }).update({ wecom_status: 5 });
    // Only what the account check / a replace leaves behind is proposed; nothing moves before HQ approves.
    expect(await run()).toMatchObject({ proposed: 3 });
    const proposed = await handoverOf('kf_left');
    expect(proposed.handover).toMatchObject({ kind: 'resigned', reason: 'member_left', status: 'proposed', storeId: 'S_LEFT', total: 6, counts: { pending: 6 } });
    expect(await run()).toMatchObject({ proposed: 0, requested: 0 });
    expect(sim.state.transfers).toHaveLength(0);

    // A branch admin may read but not decide.
    expect((await plugin.request(`/handovers/${proposed.handover.id}`, { actor: ACTORS.adminB1 })).status).toBe(200);
    expect((await plugin.request(`/handovers/${proposed.handover.id}`, { actor: ACTORS.adminB2 })).status).toBe(404);
    expect((await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.adminB1, method: 'POST', body: {} })).status).toBe(403);
    const approved = await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.hq, method: 'POST', body: {} });
    expect(approved.status).toBe(200);
    expect((approved.body as HandoverDetailBody).handover.takers.map((t) => t.userid)).toEqual(['kf_near_full', 'kf_roomy']);
    expect((await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.hq, method: 'POST', body: {} })).body.error.code).toBe('handover_decided');

    expect(await run()).toMatchObject({ requested: 6 });
    const asked = await handoverOf('kf_left');
    expect(asked.handover).toMatchObject({ status: 'transferring', counts: { waiting: 6 } });
    const byTaker: Record<string, unknown[]> = {};
    for (const c of asked.customers) (byTaker[c.takeoverUserid ?? ''] ??= []).push(c);
    // kf_near_full: 93 of 100 with the hard level at 95 → room for 2, never more.
    expect(byTaker.kf_near_full).toHaveLength(2);
    expect(byTaker.kf_roomy).toHaveLength(4);
    expect(sim.state.transfers.filter((t) => t.kind === 'resigned')).toHaveLength(6);

    await run();
    expect(await liveCount('kf_roomy')).toBe(0);
    await advance(24);
    expect(await run()).toMatchObject({ done: 6, finished: 1 });
    const done = await handoverOf('kf_left');
    expect(done.handover).toMatchObject({ status: 'done', counts: { done: 6 } });
    expect(done.customers.every((c) => c.takeoverAt)).toBe(true);
    expect({ left: await liveCount('kf_left'), nearFull: await liveCount('kf_near_full'), roomy: await liveCount('kf_roomy') }).toEqual({
      left: relations('kf_left').length, nearFull: relations('kf_near_full').length, roomy: relations('kf_roomy').length,
    });
    expect(await liveCount('kf_near_full')).toBe(95);
    // A second poll changes nothing.
    await run();
    expect(await liveCount('kf_roomy')).toBe(4);

    const history = await db.knex('wss_audit_log').where({ store_id: 'S_LEFT', entity_type: 'handover' }).orderBy('id').pluck('action');
    expect(history).toEqual(['handover.propose', 'handover.approve', 'handover.complete']);
    const log = await plugin.request('/operation-log?storeId=S_LEFT', { actor: ACTORS.hq });
    expect(JSON.stringify(log.body)).toContain('客户转接完成');
  });
});

describe('handover of a replaced account (in service)', () => {
  it('keeps the customers WeCom refuses with the reason: refused, handed over twice in 90 days, being handed over elsewhere', async () => {
    const [c1, c2, c3, c4] = relations('kf_replaced');
    const wecom = clientFor(sim);
    // c3 was handed over twice within 90 days already; c4 is being handed over to another member.
    await wecom.transferCustomers('service', { handover_userid: 'kf_replaced', takeover_userid: 'kf_elsewhere', external_userid: [c3] });
    await advance(24);
    await wecom.transferCustomers('service', { handover_userid: 'kf_elsewhere', takeover_userid: 'kf_replaced', external_userid: [c3] });
    await advance(24);
    await wecom.transferCustomers('service', { handover_userid: 'kf_replaced', takeover_userid: 'kf_elsewhere', external_userid: [c4] });
    await db.knex('wss_wecom_accounts').where({ userid: 'kf_replaced' }).update({ customer_count: 4 });

    const proposed = await handoverOf('kf_replaced');
    expect(proposed.handover).toMatchObject({ kind: 'service', reason: 'account_replaced', status: 'proposed', total: 4 });
    const tooLong = await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.hq, method: 'POST', body: { successMessage: '好'.repeat(201) } });
    expect(tooLong.status).toBe(400);
    const ok = await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.hq, method: 'POST', body: { successMessage: '您好，门店已为您更换专属顾问' } });
    expect(ok.status).toBe(200);

    await run();
    const asked = await handoverOf('kf_replaced');
    const status = (id: string, d = asked) => d.customers.find((c) => c.externalUserid === id)!;
    expect(status(c1).status).toBe('waiting');
    expect(status(c3)).toMatchObject({ status: 'too_frequent', errcode: 40128, reasonText: '该客户90天内已被转接两次' });
    expect(status(c4)).toMatchObject({ status: 'pending', errcode: 40129 });
    await control(sim, 'POST', '/sim/transfers/refuse', { externalUserId: c2, handoverUserid: 'kf_replaced' });
    await advance(24);
    await run();
    const done = await handoverOf('kf_replaced');
    expect(status(c1, done).status).toBe('done');
    expect(status(c2, done)).toMatchObject({ status: 'refused', reasonText: '客户拒绝转接' });
    // c4 went to the other member meanwhile: no longer this account's customer.
    expect(status(c4, done)).toMatchObject({ status: 'not_customer', errcode: 84061 });
    expect(done.handover).toMatchObject({ status: 'done', counts: { done: 1, refused: 1, too_frequent: 1, not_customer: 1 } });
    expect(await liveCount('kf_new_primary')).toBe(1);
    expect(relations('kf_new_primary')).toEqual([c1]);
    // The in-service handover raised del_external_contact (DELETE_BY_TRANSFER) for the old member.
    await sim.waitForCallbacks();
    expect(sim.callbacks.some((r) => r.changeType === 'del_external_contact' && r.source === 'DELETE_BY_TRANSFER' && r.externalUserId === c1)).toBe(true);
  });
});

describe('a taker without room', () => {
  it('is never pushed past the hard level: the customers stay with the old account, listed as no room', async () => {
    const proposed = await handoverOf('kf_old_full_store');
    await plugin.request(`/handovers/${proposed.handover.id}/approve`, { actor: ACTORS.hq, method: 'POST', body: {} });
    await run();
    const after = await handoverOf('kf_old_full_store');
    expect(after.handover).toMatchObject({ status: 'done', counts: { no_room: 2 } });
    expect(after.customers[0].reasonText).toContain('容量不足');
    expect(sim.state.transfers.some((t) => t.handover_userid === 'kf_old_full_store')).toBe(false);
    expect(await liveCount('kf_full')).toBe(95);
    // Choosing a taker that is not usable is refused.
    const dismissedOther = await plugin.request('/handovers/999999/dismiss', { actor: ACTORS.hq, method: 'POST', body: {} });
    expect(dismissedOther.status).toBe(404);
  });
});
