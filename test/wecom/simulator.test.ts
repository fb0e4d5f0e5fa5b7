import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WecomSimulator } from '../../simulator/server.js';
import { CORP_ID, CORP_SECRET, control, getJson, postJson, startSimulator } from './helpers.js';

type Reply = { errcode: number; errmsg: string } & Record<string, unknown>;

describe('WeCom simulator (raw HTTP contract)', () => {
  let sim: WecomSimulator;
  let token: string;
  const api = (path: string, query: Record<string, string> = {}) => `${sim.url}${path}?${new URLSearchParams({ access_token: token, ...query })}`;

  beforeAll(async () => {
    sim = await startSimulator({ perApiLimitPerMinute: 8, rateLimitWindowMs: 400, members: [{ userid: 'zhangsan', name: '张三' }] });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await control(sim, 'POST', '/sim/reset');
    token = (await getJson<Reply>(`${sim.url}/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${CORP_SECRET}`)).access_token as string;
  });

  it('gettoken answers credential errors like WeCom and reuses a valid token', async () => {
    const badCorp = await getJson<Reply>(`${sim.url}/cgi-bin/gettoken?corpid=nope&corpsecret=${CORP_SECRET}`);
    expect(badCorp.errcode).toBe(40013);
    expect(badCorp.errmsg).toMatch(/^invalid corpid, hint: \[.+\], from ip: .+, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40013$/);
    expect((await getJson<Reply>(`${sim.url}/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=bad`)).errcode).toBe(40001);
    expect((await getJson<Reply>(`${sim.url}/cgi-bin/gettoken?corpsecret=x`)).errcode).toBe(41002);
    const again = await getJson<Reply>(`${sim.url}/cgi-bin/gettoken?corpid=${CORP_ID}&corpsecret=${CORP_SECRET}`);
    expect(again).toMatchObject({ errcode: 0, errmsg: 'ok', access_token: token });
    expect(again.expires_in).toBeGreaterThan(7000);
  });

  it('answers 41001 / 40014 / 42001 for missing, unknown and expired tokens', async () => {
    expect((await getJson<Reply>(`${sim.url}/cgi-bin/user/get?userid=zhangsan`)).errcode).toBe(41001);
    expect((await getJson<Reply>(`${sim.url}/cgi-bin/user/get?userid=zhangsan&access_token=forged`)).errcode).toBe(40014);
    await control(sim, 'POST', '/sim/tokens/expire');
    const expired = await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }));
    expect(expired.errcode).toBe(42001);
    expect(expired.errmsg).toMatch(/^access_token expired, hint: /);
  });

  it('user/get and member statuses, 60111 for unknown', async () => {
    await control(sim, 'POST', '/sim/members', { members: [{ userid: 'left', name: '离职', status: 5 }, { userid: 'off', status: 2 }] });
    expect(await getJson(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).toMatchObject({ errcode: 0, userid: 'zhangsan', name: '张三', status: 1, main_department: 1, department: [1] });
    expect(await getJson(api('/cgi-bin/user/get', { userid: 'left' }))).toMatchObject({ status: 5 });
    expect(await getJson(api('/cgi-bin/user/get', { userid: 'off' }))).toMatchObject({ status: 2 });
    expect((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'ghost' }))).errcode).toBe(60111);
    expect((await getJson<Reply>(api('/cgi-bin/externalcontact/get_follow_user_list'))).follow_user).toEqual(['zhangsan']);
  });

  it('list answers 84061 with zero customers and the ids otherwise; batch/get_by_user pages with a cursor', async () => {
    expect((await getJson<Reply>(api('/cgi-bin/externalcontact/list', { userid: 'zhangsan' }))).errcode).toBe(84061);
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'zhangsan', count: 7 });
    const list = await getJson<Reply>(api('/cgi-bin/externalcontact/list', { userid: 'zhangsan' }));
    expect((list.external_userid as string[]).length).toBe(7);
    const first = await postJson<Reply>(api('/cgi-bin/externalcontact/batch/get_by_user'), { userid_list: ['zhangsan'], cursor: '', limit: 5 });
    expect((first.external_contact_list as unknown[]).length).toBe(5);
    expect(first.next_cursor).not.toBe('');
    const second = await postJson<Reply>(api('/cgi-bin/externalcontact/batch/get_by_user'), { userid_list: ['zhangsan'], cursor: first.next_cursor, limit: 5 });
    expect((second.external_contact_list as unknown[]).length).toBe(2);
    expect(second.next_cursor).toBe('');
    expect((await postJson<Reply>(api('/cgi-bin/externalcontact/batch/get_by_user'), { userid_list: ['zhangsan'], limit: 101 })).errcode).toBe(40058);
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    expect((await postJson<Reply>(api('/cgi-bin/externalcontact/batch/get_by_user'), { userid_list: tooMany })).errcode).toBe(40058);
  });

  it('contact ways: validation, qr_code PNG that leads to the add page, state carried into follow_info', async () => {
    const add = (body: unknown) => postJson<Reply>(api('/cgi-bin/externalcontact/add_contact_way'), body);
    expect((await add({ type: 3, scene: 2, user: ['zhangsan'] })).errcode).toBe(41039);
    expect((await add({ type: 1, scene: 9, user: ['zhangsan'] })).errcode).toBe(41040);
    expect((await add({ type: 2, scene: 2, user: Array.from({ length: 101 }, () => 'zhangsan') })).errcode).toBe(41041);
    expect((await add({ type: 1, scene: 2, user: ['zhangsan'], state: 'x'.repeat(31) })).errcode).toBe(40058);
    const made = await add({ type: 1, scene: 2, user: ['zhangsan'], state: 'store-42' });
    expect(made.errcode).toBe(0);
    expect(made.qr_code).toBe(`${sim.url}/sim/qr/${made.config_id}.png`);
    const png = await fetch(made.qr_code as string);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    const page = await (await fetch(`${sim.url}/sim/add/${made.config_id}`)).text();
    expect(page).toContain('添加');
    expect((await add({ type: 1, scene: 1, user: ['zhangsan'] })).qr_code).toBeUndefined();

    await control(sim, 'POST', '/sim/customers/add', { configId: made.config_id });
    const batch = await postJson<Reply>(api('/cgi-bin/externalcontact/batch/get_by_user'), { userid_list: ['zhangsan'] });
    expect((batch.external_contact_list as { follow_info: { state?: string } }[])[0].follow_info.state).toBe('store-42');

    expect((await postJson<Reply>(api('/cgi-bin/externalcontact/get_contact_way'), { config_id: 'nope' })).errcode).toBe(41044);
    await control(sim, 'POST', '/sim/contact-way-quota', { quota: 2 });
    expect((await add({ type: 1, scene: 2, user: ['zhangsan'] })).errcode).toBe(41045);
  });

  it('send_welcome_msg: once per code (41051), unknown/expired code 41050', async () => {
    const added = await control<{ welcome_code: string }>(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan' });
    const send = (code: string) => postJson<Reply>(api('/cgi-bin/externalcontact/send_welcome_msg'), { welcome_code: code, text: { content: '欢迎' } });
    expect((await send(added.welcome_code)).errcode).toBe(0);
    expect((await send(added.welcome_code)).errcode).toBe(41051);
    expect((await send('unknown')).errcode).toBe(41050);
  });

  it('answers 45009 over the per-API limit and counts calls per API', async () => {
    const codes = [];
    for (let i = 0; i < 10; i += 1) codes.push((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).errcode);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 45009, 45009]);
    const counters = await control<Record<string, { calls: number; errors: Record<string, number> }>>(sim, 'GET', '/sim/counters');
    expect(counters['/cgi-bin/user/get']).toMatchObject({ calls: 10, errors: { 45009: 2 } });
    await new Promise((r) => setTimeout(r, 450));
    expect((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).errcode).toBe(0);
  });

  it('fault injection: 5xx, chosen errcode and latency', async () => {
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', http5xx: 1 });
    expect((await fetch(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).status).toBe(502);
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: -1, times: 2 });
    expect((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).errcode).toBe(-1);
    expect((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).errcode).toBe(-1);
    expect((await getJson<Reply>(api('/cgi-bin/user/get', { userid: 'zhangsan' }))).errcode).toBe(0);
    await new Promise((r) => setTimeout(r, 450));
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', latencyMs: 150 });
    const started = Date.now();
    await getJson(api('/cgi-bin/user/get', { userid: 'zhangsan' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('serves the customer page', async () => {
    const page = await (await fetch(`${sim.url}/sim/`)).text();
    expect(page).toContain('WeCom 模拟器');
    expect(page).toContain('zhangsan');
  });
});
