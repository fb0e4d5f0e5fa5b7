import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from './helpers.js';

let world: BindingsWorld;
const hq = ACTORS.hq;
const admin = ACTORS.adminB1;

beforeAll(async () => {
  world = await startBindingsWorld();
});
afterAll(() => world?.close());

const req = (path: string, opts: Parameters<BindingsWorld['plugin']['request']>[1] = {}) => world.plugin.request(path, opts);
const bind = (storeId: string, userid: string, role: 'primary' | 'backup' = 'primary', actor = admin) =>
  req(`/stores/${storeId}/bindings`, { actor, method: 'POST', body: { userid, role } });
const entryOf = (storeId: string) => world.db.knex('wss_store_entries').where('store_id', storeId).first();
const simWay = (configId: string) => world.sim.state.contactWays.get(configId);

describe('binding a store to a WeCom account', () => {
  it('binds an active member, caches its name, keeps the entry hidden and creates the store live code', async () => {
    const res = await bind('S101', 'u_s101');
    expect(res.status).toBe(200);
    expect(res.body.action).toBe('bind');
    expect(res.body.after).toEqual({ primary: 'u_s101', backups: [], retired: [] });

    const account = await world.db.knex('wss_wecom_accounts').where('userid', 'u_s101').first();
    expect(account).toMatchObject({ name: '店员S101', wecom_status: 1 });
    const entry = await entryOf('S101');
    expect(entry).toMatchObject({ visible: false, hidden_automatically: 'pending_review' });

    const detail = await req('/stores/S101/bindings', { actor: admin });
    expect(detail.body.liveCode).toMatchObject({ state: 'wss:s:S101', accountUserids: ['u_s101'] });
    const way = simWay(detail.body.liveCode.configId)!;
    expect(way).toMatchObject({ type: 1, scene: 2, user: ['u_s101'], state: 'wss:s:S101' });
    expect(detail.body.liveCode.qrCode).toBe(way.qr_code);

    const audit = await world.db.knex('wss_audit_log').where({ store_id: 'S101', action: 'binding.bind' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: admin.id, after: { primary: 'u_s101' } });
  });

  it('binding the same account again changes nothing', async () => {
    const before = await entryOf('S101');
    const res = await bind('S101', 'u_s101');
    expect(res.body.action).toBe('unchanged');
    expect((await entryOf('S101')).version).toBe(before.version);
    expect(await world.db.knex('wss_audit_log').where({ store_id: 'S101', action: 'binding.bind' })).toHaveLength(1);
  });

  it('rejects unknown and inactive members with a per-field 400', async () => {
    const unknown = await bind('S102', 'u_nobody');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_userid');
    expect(unknown.body.error.details.fields.userid).toContain('不存在');
    for (const [userid, text] of [['u_disabled', '已停用'], ['u_left', '已离职'], ['u_inactive', '未激活']]) {
      const res = await bind('S102', userid);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('inactive_userid');
      expect(res.body.error.details.fields.userid).toContain(text);
    }
    const bad = await req('/stores/S102/bindings', { actor: admin, method: 'POST', body: { userid: 'has space', role: 'boss' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['role', 'userid']);
    expect(await world.db.knex('wss_store_accounts').where('store_id', 'S102')).toHaveLength(0);
  });

  it('refuses a closed store, a store outside the branch and an unknown store', async () => {
    expect((await bind('S199', 'u_s199')).body.error.code).toBe('store_closed');
    const outside = await bind('S201', 'u_s201');
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('branch_out_of_scope');
    expect((await bind('NOPE', 'u_s101')).status).toBe(404);
  });

  it('answers 409 naming the other store when the account is bound elsewhere, until HQ allows sharing', async () => {
    const res = await bind('S102', 'u_s101');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('account_bound_elsewhere');
    expect(res.body.error.message).toContain('S101');
    expect(res.body.error.details.stores[0]).toMatchObject({ storeId: 'S101', storeName: '门店S101' });

    expect((await req('/accounts/u_s101/sharing', { actor: admin, method: 'PUT', body: { allowed: true } })).status).toBe(403);
    expect((await req('/accounts/u_s101/sharing', { actor: hq, method: 'PUT', body: { allowed: true } })).status).toBe(200);
    expect((await bind('S102', 'u_s101')).status).toBe(200);
    await req('/stores/S102/bindings/u_s101', { actor: admin, method: 'DELETE' });
    await req('/accounts/u_s101/sharing', { actor: hq, method: 'PUT', body: { allowed: false } });
  });

  it('checks a userid live for the bind dialog', async () => {
    const res = await req('/accounts/u_s101/check?storeId=S103', { actor: admin });
    expect(res.body).toMatchObject({ found: true, name: '店员S101', status: 1, canBind: false, problem: 'account_bound_elsewhere' });
    expect((await req('/accounts/u_s103/check?storeId=S103', { actor: admin })).body).toMatchObject({ canBind: true, problem: null });
    expect((await req('/accounts/u_left/check', { actor: admin })).body).toMatchObject({ canBind: false, problem: 'inactive_userid', statusText: '已离职' });
    expect((await req('/accounts/u_s103/check', { actor: ACTORS.viewerB1 })).status).toBe(403);
  });
});

describe('entry visibility', () => {
  it('lets only HQ show an entry, and only when the store has an active account', async () => {
    const denied = await req('/entries/visibility', { actor: admin, method: 'POST', body: { storeIds: ['S101'], visible: true } });
    expect(denied.status).toBe(403);
    const blocked = await req('/entries/visibility', { actor: hq, method: 'POST', body: { storeIds: ['S101', 'S103'], visible: true } });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.details.stores).toEqual([{ storeId: 'S103', problem: 'no_active_account' }]);
    expect((await entryOf('S101')).visible).toBe(false);

    const before = (await entryOf('S101')).version;
    const shown = await req('/stores/S101/entry', { actor: hq, method: 'PUT', body: { visible: true, reason: '审核通过' } });
    expect(shown.status).toBe(200);
    const entry = await entryOf('S101');
    expect(entry).toMatchObject({ visible: true, reason: '审核通过', hidden_automatically: null, version: before + 1 });
    const audit = await world.db.knex('wss_audit_log').where({ store_id: 'S101', action: 'entry.show' }).first();
    expect(audit).toMatchObject({ actor_id: 'hq', reason: '审核通过', before: { visible: false }, after: { visible: true } });
  });

  it('hides again when a backup is added, and the live code stays on the primary', async () => {
    const res = await bind('S101', 'u_s101_b', 'backup');
    expect(res.body.action).toBe('add_backup');
    expect(await entryOf('S101')).toMatchObject({ visible: false, hidden_automatically: 'pending_review' });
    const code = (await req('/stores/S101/bindings', { actor: admin })).body.liveCode;
    expect(code.accountUserids).toEqual(['u_s101']);
  });

  it('hides in bulk for HQ in one go', async () => {
    await bind('S103', 'u_s103');
    await req('/entries/visibility', { actor: hq, method: 'POST', body: { storeIds: ['S101', 'S103'], visible: true } });
    const res = await req('/entries/visibility', { actor: hq, method: 'POST', body: { storeIds: ['S101', 'S103'], visible: false, reason: '活动暂停' } });
    expect(res.body).toEqual({ changed: ['S101', 'S103'], unchanged: 0 });
    const rows = await world.db.knex('wss_store_entries').whereIn('store_id', ['S101', 'S103']).orderBy('store_id');
    expect(rows.map((r) => [r.visible, r.reason])).toEqual([[false, '活动暂停'], [false, '活动暂停']]);
  });
});

describe('replace, rebind, unbind and capacity routing', () => {
  it('replaces a full account: the new one takes new customers, the old one stays as retired', async () => {
    const res = await req('/stores/S101/primary', { actor: admin, method: 'PUT', body: { userid: 'u_s104', mode: 'replace', reason: '账号已满' } });
    expect(res.status).toBe(200);
    expect(res.body.after).toEqual({ primary: 'u_s104', backups: ['u_s101_b'], retired: ['u_s101'] });
    const detail = (await req('/stores/S101/bindings', { actor: admin })).body;
    expect(detail.bindings.map((b: any) => [b.userid, b.role])).toEqual(
      expect.arrayContaining([['u_s104', 'primary'], ['u_s101', 'retired'], ['u_s101_b', 'backup']]),
    );
    expect(detail.liveCode.accountUserids).toEqual(['u_s104']);
    expect(simWay(detail.liveCode.configId)!.user).toEqual(['u_s104']);
    // The retired account still belongs to S101: it cannot be bound elsewhere.
    expect((await bind('S105', 'u_s101')).body.error.code).toBe('account_bound_elsewhere');
  });

  it('rebinds: the old primary binding ends, history keeps it', async () => {
    const res = await req('/stores/S103/primary', { actor: admin, method: 'PUT', body: { userid: 'u_s103_b', mode: 'rebind' } });
    expect(res.body.after).toEqual({ primary: 'u_s103_b', backups: [], retired: [] });
    const history = (await req('/stores/S103/history', { actor: ACTORS.viewerB1 })).body;
    expect(history.bindings.map((b: any) => [b.userid, b.role, b.endReason])).toEqual([
      ['u_s103_b', 'primary', null],
      ['u_s103', 'primary', 'rebound'],
    ]);
    expect(history.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['binding.rebind', 'binding.bind']));
  });

  it('routes new customers to the backup for the capacity failover, and hides the entry when none has room', async () => {
    const service = world.plugin.service.services.bindings;
    await service.routeNewCustomersTo('S101', 'u_s101_b', 'primary full');
    const code = await service.liveCodeOf('S101');
    expect(code!.accountUserids).toEqual(['u_s101_b']);
    expect(simWay(code!.configId)!.user).toEqual(['u_s101_b']);
    await expect(service.routeNewCustomersTo('S101', 'u_s101', 'retired')).rejects.toMatchObject({ kind: 'conflict' });
    await service.routeNewCustomersTo('S101', null, 'all full');
    expect(await entryOf('S101')).toMatchObject({ visible: false, hidden_automatically: 'capacity_full' });
  });

  it('unbinding the last active account hides the entry, says why and deletes the live code', async () => {
    const code = (await req('/stores/S103/bindings', { actor: admin })).body.liveCode;
    const res = await req('/stores/S103/bindings/u_s103_b', { actor: admin, method: 'DELETE' });
    expect(res.body.after).toEqual({ primary: null, backups: [], retired: [] });
    expect(await entryOf('S103')).toMatchObject({ visible: false, hidden_automatically: 'no_active_account', reason: '门店没有可用的企微账号' });
    expect((await req('/stores/S103/bindings', { actor: admin })).body.liveCode).toBeNull();
    expect(simWay(code.configId)).toBeUndefined();
    expect((await req('/stores/S103/bindings/u_s103_b', { actor: admin, method: 'DELETE' })).status).toBe(404);
  });

  it('hides the entry when WeCom reports the account disabled', async () => {
    await bind('S105', 'u_s105');
    await req('/stores/S105/entry', { actor: hq, method: 'PUT', body: { visible: true } });
    world.sim.state.members.get('u_s105')!.status = 2;
    const result = await world.plugin.service.services.bindings.refreshAccountStatuses();
    expect(result).toMatchObject({ changed: 1, hidden: 1 });
    const entry = await entryOf('S105');
    expect(entry).toMatchObject({ visible: false, hidden_automatically: 'account_disabled' });
    expect(entry.reason).toContain('u_s105');
    // It cannot be shown again until the store has an account WeCom reports active.
    expect((await req('/stores/S105/entry', { actor: hq, method: 'PUT', body: { visible: true } })).status).toBe(409);
  });

  it('tells the element who is signed in', async () => {
    const me = await req('/me', { actor: admin });
    expect(me.body).toEqual({
      id: admin.id,
      name: admin.name,
      timezone: 'Asia/Shanghai',
      branchScope: ['B1'],
      can: {
        bind: true, shareAccounts: false, toggleEntries: false, decideReviews: false, readCapacity: true, editCapacity: false,
        readAlerts: true, manageAlerts: false, readStats: true, exportStats: true,
      },
    });
    expect((await req('/me')).status).toBe(401);
  });
});
