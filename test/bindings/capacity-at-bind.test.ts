import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from './helpers.js';
import { createCallbackStore } from '../../plugin/wecom-callbacks/callback.store.js';

// Binding counts the account's customers at once (externalcontact/list), judges the fill against
// the warning and hard levels, stores the figure and raises the usual threshold warning.
let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld({
    extraMembers: [
      { userid: 'u_busy', name: '忙碌', customers: 3620 },
      { userid: 'u_full', name: '满员', customers: 4790 },
      { userid: 'u_light', name: '轻松', customers: 12 },
      { userid: 'u_pending', name: '待入账', customers: 20 },
    ],
    config: (simulatorUrl) => ({
      capacity: { thresholds: [70, 85], hardLevel: 95 },
      alerts: { robots: [{ id: 'hq', channel: 'wecom', key: 'bind-hq-key' }], hqRobots: ['hq'], robotBaseUrls: { wecom: simulatorUrl } },
    }),
  });
});
afterAll(() => world?.close());

const admin = ACTORS.adminB1;
const req = (path: string, opts: Parameters<BindingsWorld['plugin']['request']>[1] = {}) => world.plugin.request(path, opts);
const account = (userid: string) => world.db.knex('wss_wecom_accounts').where({ userid }).first();
const listCalls = () => world.sim.counters()['/cgi-bin/externalcontact/list']?.calls ?? 0;

describe('capacity at bind time', () => {
  it('shows the live fill in the account check', async () => {
    const check = await req('/accounts/u_busy/check?storeId=S101', { actor: admin });
    expect(check.body).toMatchObject({ canBind: true, capacity: { count: 3620, limit: 5000, percent: 72.4, level: 'warning', warningLevel: 70, hardLevel: 95 } });
    const full = await req('/accounts/u_full/check?storeId=S101', { actor: admin });
    expect(full.body).toMatchObject({ canBind: false, problem: 'account_capacity_full', capacity: { count: 4790, level: 'full' } });
    expect(full.body.message).toContain('4,790');
  });

  it('asks for a confirmation at the warning level with the real count, and binds once confirmed', async () => {
    const calls = listCalls();
    const refused = await req('/stores/S101/bindings', { actor: admin, method: 'POST', body: { userid: 'u_busy' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'capacity_confirmation_required', details: { userid: 'u_busy', count: 3620, limit: 5000, level: 'warning' } });
    expect(refused.body.error.message).toBe('企微账号 忙碌(u_busy) 已有 3,620 位客户（容量 5,000，已用 72%），超过 70% 预警线，请确认后再绑定');
    expect(listCalls()).toBe(calls + 1);
    expect(await world.db.knex('wss_store_accounts').where('store_id', 'S101')).toEqual([]);

    const bound = await req('/stores/S101/bindings', { actor: admin, method: 'POST', body: { userid: 'u_busy', confirm: true } });
    expect(bound.status).toBe(200);
    expect(await account('u_busy')).toMatchObject({ customer_count: 3620 });
    expect((await account('u_busy')).counted_at).not.toBeNull();
    // The first count crossed 70 %: the usual warning is queued.
    const warnings = await world.db.knex('wss_alert_outbox').where('kind', 'capacity_threshold');
    expect(warnings.map((w: any) => w.payload.text.split('\n')[0])).toEqual(['忙碌(账号:u_busy)客户容量已达到70%,请及时处理。']);
    const levels = await world.db.knex('wss_capacity_levels').where('account_id', (await account('u_busy')).id).orderBy('level');
    expect(levels.map((l: any) => [l.level, l.armed, l.crossings])).toEqual([[70, false, 1], [85, true, 0]]);
  });

  it('refuses an account at the hard level even when confirmed, for bind and replace', async () => {
    const bind = await req('/stores/S102/bindings', { actor: admin, method: 'POST', body: { userid: 'u_full', confirm: true } });
    expect(bind.status).toBe(409);
    expect(bind.body.error.code).toBe('account_capacity_full');
    expect(bind.body.error.message).toContain('达到 95% 上限，不能绑定');
    const replace = await req('/stores/S101/primary', { actor: admin, method: 'PUT', body: { userid: 'u_full', mode: 'replace', confirm: true } });
    expect(replace.status).toBe(409);
    expect(replace.body.error.code).toBe('account_capacity_full');
    expect(await account('u_full')).toBeUndefined(); // nothing was written
  });

  it('replaces a full primary with a light account without asking, counting the new one', async () => {
    const res = await req('/stores/S101/primary', { actor: admin, method: 'PUT', body: { userid: 'u_light', mode: 'replace' } });
    expect(res.status).toBe(200);
    expect(res.body.after).toEqual({ primary: 'u_light', backups: [], retired: ['u_busy'] });
    expect(await account('u_light')).toMatchObject({ customer_count: 12 });
  });

  it('nets its count out against callbacks stored but not yet applied (their apply must not count them again)', async () => {
    // A host stored the add of a customer WeCom already lists, and died before applying it.
    const relation = world.sim.state.relations.find((r) => r.userid === 'u_pending')!;
    await createCallbackStore(world.db.knex).insertEvent({
      dedupeKey: 'bind-pending-1', event: 'change_external_contact', changeType: 'add_external_contact', userId: 'u_pending',
      externalUserId: relation.external_userid, createTime: Math.floor(Date.now() / 1000), rawXml: '<xml></xml>',
    });
    const bound = await req('/stores/S103/bindings', { actor: admin, method: 'POST', body: { userid: 'u_pending' } });
    expect(bound.status).toBe(200);
    expect(await account('u_pending')).toMatchObject({ customer_count: 20 });
    expect(await world.plugin.service.services.wecomCallbacks.processPending()).toBe(1);
    expect(await account('u_pending')).toMatchObject({ customer_count: 20 });
  });
});
