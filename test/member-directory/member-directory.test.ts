import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';
import { DEFAULT_SIM_CONTACT_SYNC_SECRET } from '../../simulator/server.js';

// The member picker reads the app's visible range department by department (what a self-built
// app may call), caches names and statuses, and searches them by name or userid.
let world: BindingsWorld;
const sim = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${world.sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json() as Promise<any>;
};
const calls = (path: string) => world.sim.counters()[path]?.calls ?? 0;
const search = (q: string, actor = ACTORS.adminB1) => world.plugin.request(`/members?q=${encodeURIComponent(q)}`, { actor });

beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 2 });
  await sim('POST', '/sim/departments', {
    departments: [
      { id: 2, name: '华东门店', parentid: 1 }, { id: 3, name: '上海', parentid: 2 }, { id: 4, name: '华南门店', parentid: 1 }, { id: 9, name: '财务', parentid: 1 },
    ],
  });
  await sim('POST', '/sim/members', {
    members: [
      { userid: 'kf_a', name: '张晓燕', department: [3] },
      { userid: 'kf_b', name: '李建国', department: [2, 4] },
      { userid: 'kf_c', name: '王丽娜', department: [4], status: 5 },
      { userid: 'fin_1', name: '财务甲', department: [9] },
      { userid: 'solo', name: '独立成员', department: [9] },
    ],
  });
  await sim('PUT', '/sim/visible-range', { departments: [2, 4], users: ['solo'] });
});
afterAll(() => world?.close());

async function token(secret: string) {
  return (await sim('GET', `/cgi-bin/gettoken?corpid=${world.sim.options.corpId}&corpsecret=${secret}`)).access_token as string;
}

describe('the simulator answers the directory APIs as WeCom does for a self-built app', () => {
  it('lists the visible range\'s departments and their direct members; refuses the rest', async () => {
    const t = await token(world.sim.options.corpSecret);
    expect((await sim('GET', `/cgi-bin/department/simplelist?access_token=${t}`)).department_id.map((d: any) => d.id)).toEqual([2, 3, 4]);
    expect((await sim('GET', `/cgi-bin/department/simplelist?access_token=${t}&id=2`)).department_id).toEqual([{ id: 2, parentid: 1, order: 0 }, { id: 3, parentid: 2, order: 0 }]);
    expect((await sim('GET', `/cgi-bin/department/simplelist?access_token=${t}&id=9`)).errcode).toBe(60011);
    expect((await sim('GET', `/cgi-bin/user/list?access_token=${t}&department_id=99`)).errcode).toBe(60003);
    const users = await sim('GET', `/cgi-bin/user/list?access_token=${t}&department_id=4`);
    expect(users.userlist.map((u: any) => [u.userid, u.name, u.status, u.department])).toEqual([['kf_b', '李建国', 1, [2, 4]], ['kf_c', '王丽娜', 5, [4]]]);
    expect(users.userlist[0]).not.toHaveProperty('mobile');
    expect((await sim('GET', `/cgi-bin/user/simplelist?access_token=${t}&department_id=3`)).userlist).toEqual([{ userid: 'kf_a', name: '张晓燕', department: [3] }]);
    expect((await sim('GET', `/cgi-bin/user/get?access_token=${t}&userid=fin_1`)).errcode).toBe(60011);
    expect((await sim('GET', `/cgi-bin/user/get?access_token=${t}&userid=solo`)).errcode).toBe(0);
  });

  it('serves user/list_id to the contact-sync secret only, page by page', async () => {
    const app = await token(world.sim.options.corpSecret);
    expect((await sim('POST', `/cgi-bin/user/list_id?access_token=${app}`, { limit: 10 })).errcode).toBe(48002);
    const sync = await token(DEFAULT_SIM_CONTACT_SYNC_SECRET);
    expect(sync).not.toBe(app);
    expect((await sim('POST', `/cgi-bin/user/list_id?access_token=${sync}`, { limit: 10001 })).errcode).toBe(40058);
    const first = await sim('POST', `/cgi-bin/user/list_id?access_token=${sync}`, { limit: 2 });
    expect(first.dept_user).toEqual([{ userid: 'fin_1', department: 9 }, { userid: 'kf_a', department: 3 }]);
    const second = await sim('POST', `/cgi-bin/user/list_id?access_token=${sync}`, { cursor: first.next_cursor, limit: 2 });
    expect(second.dept_user).toEqual([{ userid: 'kf_b', department: 2 }, { userid: 'kf_b', department: 4 }]);
  });
});

describe('member picker', () => {
  it('reads the directory on first use, then searches the cache by name or userid', async () => {
    const before = { depts: calls('/cgi-bin/department/simplelist'), lists: calls('/cgi-bin/user/list') };
    const byName = await search('张');
    expect(byName.status).toBe(200);
    expect(byName.body.items.map((m: any) => [m.userid, m.name, m.status])).toEqual([['kf_a', '张晓燕', 1]]);
    expect(byName.body.stale).toBe(false);
    expect(calls('/cgi-bin/department/simplelist') - before.depts).toBe(1);
    expect(calls('/cgi-bin/user/list') - before.lists).toBe(3);

    const byUserid = await search('KF_');
    expect(byUserid.body.items.map((m: any) => m.userid)).toEqual(['kf_a', 'kf_b', 'kf_c']);
    expect(byUserid.body.items.find((m: any) => m.userid === 'kf_b').departments).toEqual([2, 4]);
    expect((await search('kf_c')).body.items[0]).toMatchObject({ userid: 'kf_c', status: 5 });
    // Outside the range (财务) or visible only one by one: not listed. Names are cached in the database.
    expect((await search('fin')).body.items).toEqual([]);
    expect((await search('solo')).body.items).toEqual([]);
    expect(await world.db.knex('wss_wecom_members').orderBy('userid').pluck('name')).toEqual(['张晓燕', '李建国', '王丽娜']);
    expect(calls('/cgi-bin/user/list') - before.lists).toBe(3);
    expect((await search('x', ACTORS.viewerB1)).status).toBe(403);
  });

  it('shows where an account serves and its last counted fill, within the caller\'s scope', async () => {
    expect((await world.plugin.request('/stores/S101/bindings', { actor: ACTORS.adminB1, method: 'POST', body: { userid: 'kf_a' } })).status).toBe(200);
    expect((await search('kf_a')).body.items[0]).toMatchObject({ boundTo: [{ storeId: 'S101', storeName: '门店S101', role: 'primary' }], boundElsewhere: 0, fill: { count: 0, limit: 5000, percent: 0 } });
    expect((await search('kf_a', ACTORS.adminB2)).body.items[0]).toMatchObject({ boundTo: [], boundElsewhere: 1 });
    expect((await search('kf_b')).body.items[0].fill).toBeNull();
  });

  it('drops members that left the range at the next read; serves the old list when WeCom fails', async () => {
    await sim('PUT', '/sim/visible-range', { departments: [2], users: [] });
    expect((await world.plugin.service.jobs.runNow('member-directory-sync')).result).toEqual({ departments: 2, members: 2, removed: 1 });
    expect((await search('kf_')).body.items.map((m: any) => m.userid)).toEqual(['kf_a', 'kf_b']);

    await world.db.knex('wss_wecom_members').update({ synced_at: world.db.knex.raw("now() - interval '1 day'") });
    await sim('POST', '/sim/faults', { path: '/cgi-bin/department/simplelist', http5xx: 5 });
    const res = await search('kf_');
    expect(res.body).toMatchObject({ stale: true });
    expect(res.body.items).toHaveLength(2);
    await sim('DELETE', '/sim/faults');
  });
});
