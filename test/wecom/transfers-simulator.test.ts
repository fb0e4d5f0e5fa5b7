import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WecomSimulator } from '../../simulator/server.js';
import type { WecomClient } from '../../plugin/wecom/index.js';
import { WecomApiError } from '../../plugin/wecom/index.js';
import { beijingDay, simNow } from '../../simulator/transfers.js';
import { clientFor, control, startSimulator } from './helpers.js';

let sim: WecomSimulator;
let wecom: WecomClient;
const customersOf = (userid: string) => sim.state.relations.filter((r) => r.userid === userid).map((r) => r.external_userid);

/** Raw call, to see top-level errcodes the client would throw. */
async function raw(path: string, body: unknown) {
  const token = (await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=${sim.options.corpId}&corpsecret=${sim.options.corpSecret}`)).json()) as { access_token: string };
  const response = await fetch(`${sim.url}/cgi-bin/externalcontact/${path}?access_token=${token.access_token}`, { method: 'POST', body: JSON.stringify(body) });
  return (await response.json()) as Record<string, unknown> & { errcode: number };
}

beforeAll(async () => {
  sim = await startSimulator({ behaviorReadyHour: 0 });
  wecom = clientFor(sim);
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await control(sim, 'POST', '/sim/reset');
  await control(sim, 'POST', '/sim/members', { members: [{ userid: 'old' }, { userid: 'new', capacity: 10 }, { userid: 'full', capacity: 2 }] });
  await control(sim, 'POST', '/sim/customers/set-count', { userid: 'old', count: 5 });
  await control(sim, 'POST', '/sim/customers/set-count', { userid: 'full', count: 2 });
});

describe('simulator: in-service handover (transfer_customer, transfer_result)', () => {
  it('answers one errcode per customer, waits 24 h, then moves the relation and tells the old member', async () => {
    const [a, b, c] = customersOf('old');
    const results = await wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'new', external_userid: [a, b, 'wm_stranger'], transfer_success_msg: '您好，我是新的门店顾问' });
    expect(results).toEqual([{ external_userid: a, errcode: 0 }, { external_userid: b, errcode: 0 }, { external_userid: 'wm_stranger', errcode: 84061 }]);
    expect((await wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'new', external_userid: [a, c] })).map((r) => r.errcode)).toEqual([40129, 0]);
    expect((await wecom.transferResults('service', 'old', 'new')).map((r) => r.status)).toEqual([2, 2, 2]);
    await control(sim, 'POST', '/sim/transfers/refuse', { externalUserId: c });
    await control(sim, 'POST', '/sim/clock/advance', { hours: 23 });
    expect(customersOf('new')).toEqual([]);
    await control(sim, 'POST', '/sim/clock/advance', { hours: 1 });
    const done = await wecom.transferResults('service', 'old', 'new');
    expect(Object.fromEntries(done.map((r) => [r.external_userid, r.status]))).toEqual({ [a]: 1, [b]: 1, [c]: 3 });
    expect(done.find((r) => r.external_userid === a)!.takeover_time).toBeGreaterThan(Date.now() / 1000 + 23 * 3600);
    expect(customersOf('new').sort()).toEqual([a, b].sort());
    expect(customersOf('old')).toHaveLength(3);
    const events = sim.callbacks.map((r) => `${r.changeType}:${r.userid}:${r.externalUserId}:${r.source ?? r.failReason ?? ''}`);
    expect(events).toEqual(expect.arrayContaining([`transfer_fail:new:${c}:customer_refused`, `del_external_contact:old:${a}:DELETE_BY_TRANSFER`, `del_external_contact:old:${b}:DELETE_BY_TRANSFER`]));
  });

  it('refuses a third handover of a customer within 90 days (40128), allows it after', async () => {
    const [a] = customersOf('old');
    const hop = async (from: string, to: string) => {
      const [result] = await wecom.transferCustomers('service', { handover_userid: from, takeover_userid: to, external_userid: [a] });
      await control(sim, 'POST', '/sim/clock/advance', { hours: 24 });
      return result.errcode;
    };
    expect(await hop('old', 'new')).toBe(0);
    expect(await hop('new', 'old')).toBe(0);
    expect(await hop('old', 'new')).toBe(40128);
    await control(sim, 'POST', '/sim/clock/advance', { days: 88 });
    expect(await hop('old', 'new')).toBe(0);
  });

  it('checks the pair and the limits: 40130, 100 a call, 200 characters, taker full (40099 now, status 4 later)', async () => {
    const ids = customersOf('old');
    expect((await raw('transfer_customer', { handover_userid: 'old', takeover_userid: 'old', external_userid: ids })).errcode).toBe(40130);
    expect((await raw('transfer_customer', { handover_userid: 'old', takeover_userid: 'new', external_userid: Array.from({ length: 101 }, (_, i) => `wm${i}`) })).errcode).toBe(40058);
    expect((await raw('transfer_customer', { handover_userid: 'old', takeover_userid: 'new', external_userid: ids, transfer_success_msg: '好'.repeat(201) })).errcode).toBe(40058);
    await expect(wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'old', external_userid: ids })).rejects.toMatchObject({ errcode: 40130 });
    expect((await wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'full', external_userid: [ids[0]] }))[0].errcode).toBe(40099);
    // Room at request time, full when the 24 hours are over.
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'full', count: 1 });
    expect((await wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'full', external_userid: [ids[1]] }))[0].errcode).toBe(0);
    await control(sim, 'POST', '/sim/customers/add', { userid: 'full', wait: 'none' });
    await control(sim, 'POST', '/sim/clock/advance', { hours: 24 });
    expect(await wecom.transferResults('service', 'old', 'full')).toEqual([{ external_userid: ids[1], status: 4 }]);
    expect(sim.callbacks.some((r) => r.changeType === 'transfer_fail' && r.failReason === 'customer_limit_exceed')).toBe(true);
  });
});

describe('simulator: resigned handover and unassigned customers', () => {
  it('needs a member who left (40097), lists the leaver’s customers and hands them over after 24 h', async () => {
    const ids = customersOf('old');
    expect((await raw('resigned/transfer_customer', { handover_userid: 'old', takeover_userid: 'new', external_userid: ids })).errcode).toBe(40097);
    await control(sim, 'POST', '/sim/members', { userid: 'old', status: 5 });
    const unassigned = [];
    for await (const item of wecom.unassignedCustomers()) unassigned.push(item);
    expect(unassigned.map((u) => u.external_userid).sort()).toEqual([...ids].sort());
    expect(unassigned[0]).toMatchObject({ handover_userid: 'old' });
    expect(unassigned[0].dimission_time).toBeGreaterThan(Date.now() / 1000 - 60);
    await expect(wecom.transferCustomers('service', { handover_userid: 'old', takeover_userid: 'new', external_userid: ids })).rejects.toBeInstanceOf(WecomApiError);
    expect((await wecom.transferCustomers('resigned', { handover_userid: 'old', takeover_userid: 'new', external_userid: ids.slice(0, 3) })).map((r) => r.errcode)).toEqual([0, 0, 0]);
    let left = 0;
    for await (const _ of wecom.unassignedCustomers()) left += 1;
    expect(left).toBe(2);
    await control(sim, 'POST', '/sim/clock/advance', { hours: 24 });
    expect((await wecom.transferResults('resigned', 'old', 'new')).map((r) => r.status)).toEqual([1, 1, 1]);
    expect(await wecom.transferResults('service', 'old', 'new')).toEqual([]);
    expect(customersOf('new')).toHaveLength(3);
    // A member who left more than a year ago can no longer be handed over.
    await control(sim, 'POST', '/sim/clock/advance', { days: 366 });
    expect((await raw('resigned/transfer_customer', { handover_userid: 'old', takeover_userid: 'new', external_userid: ids.slice(3) })).errcode).toBe(40097);
  });
});

describe('simulator: get_user_behavior_data', () => {
  it('counts adds and customer deletes per day, sums several members, keeps the limits', async () => {
    const today = beijingDay(simNow(sim.state));
    for (let i = 0; i < 3; i += 1) await control(sim, 'POST', '/sim/customers/add', { userid: 'new', wait: 'none' });
    const [first] = customersOf('new');
    await control(sim, 'POST', '/sim/customers/delete', { userid: 'new', externalUserId: first, by: 'customer', wait: 'none' });
    await control(sim, 'PUT', '/sim/behavior', { userid: 'old', day: today, new_contact_cnt: 4, chat_cnt: 7 });
    await control(sim, 'POST', '/sim/clock/advance', { days: 1 });
    const start = Math.floor(Date.parse(`${today}T00:00:00+08:00`) / 1000);
    const [day] = await wecom.userBehavior('new', start, start + 3600);
    expect(day).toMatchObject({ stat_time: start, new_contact_cnt: 3, new_apply_cnt: 3, negative_feedback_cnt: 1, chat_cnt: 0 });
    const both = await raw('get_user_behavior_data', { userid: ['new', 'old'], start_time: start, end_time: start + 3600 });
    expect(both.behavior_data).toEqual([expect.objectContaining({ new_contact_cnt: 7, chat_cnt: 7 })]);
    expect((await raw('get_user_behavior_data', { userid: ['new'], start_time: start - 31 * 86400, end_time: start })).errcode).toBe(40058);
    expect((await raw('get_user_behavior_data', { userid: ['new'], start_time: start - 181 * 86400, end_time: start - 170 * 86400 })).errcode).toBe(40058);
    expect((await raw('get_user_behavior_data', { start_time: start, end_time: start })).errcode).toBe(40058);
  });

  it('answers zeros for yesterday early in the morning', async () => {
    const late = await startSimulator({ behaviorReadyHour: 24 });
    try {
      await control(late, 'POST', '/sim/members', { userid: 'm' });
      await control(late, 'POST', '/sim/customers/add', { userid: 'm', wait: 'none' });
      const today = Math.floor(Date.parse(`${beijingDay(simNow(late.state))}T00:00:00+08:00`) / 1000);
      await control(late, 'POST', '/sim/clock/advance', { days: 1 });
      const [day] = await clientFor(late).userBehavior('m', today, today);
      expect(day.new_contact_cnt).toBe(0);
      await control(late, 'POST', '/sim/clock/advance', { days: 1 });
      expect((await clientFor(late).userBehavior('m', today, today))[0].new_contact_cnt).toBe(1);
    } finally {
      await late.close();
    }
  });
});
