import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WecomApiError, WecomTransportError } from '../../plugin/wecom/errors.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { CORP_ID, CORP_SECRET, captureLogger, clientFor, control, startSimulator } from './helpers.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('WeCom client ↔ simulator contract', () => {
  let sim: WecomSimulator;
  const calls = (path: string) => sim.counters()[path]?.calls ?? 0;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await control(sim, 'POST', '/sim/reset');
    await control(sim, 'POST', '/sim/members', { members: [{ userid: 'zhangsan', name: '张三' }, { userid: 'lisi', name: '李四', status: 4 }] });
  });

  it('getUser returns the member and 60111 surfaces at once as a permanent error', async () => {
    const client = clientFor(sim);
    expect(await client.getUser('lisi')).toEqual({ userid: 'lisi', name: '李四', status: 4, main_department: 1, department: [1] });
    const error = await failure(client.getUser('ghost'));
    expect(error).toBeInstanceOf(WecomApiError);
    expect(error).toMatchObject({ errcode: 60111, api: '/cgi-bin/user/get', kind: 'permanent' });
    expect(calls('/cgi-bin/user/get')).toBe(2);
  });

  it('listExternalContacts: 84061 is an empty list, not a failure', async () => {
    const client = clientFor(sim);
    expect(await client.listExternalContacts('zhangsan')).toEqual([]);
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'zhangsan', count: 3 });
    expect(await client.listExternalContacts('zhangsan')).toHaveLength(3);
  });

  it('batchGetByUser pages with the cursor and iterateByUser walks every page', async () => {
    const client = clientFor(sim);
    await control(sim, 'POST', '/sim/customers/set-count', { userid: 'zhangsan', count: 120 });
    await control(sim, 'POST', '/sim/customers/add', { userid: 'lisi' }).catch(() => undefined);
    const page = await client.batchGetByUser({ userid_list: ['zhangsan'], limit: 100 });
    expect(page.external_contact_list).toHaveLength(100);
    expect(page.next_cursor).not.toBe('');
    const all = [];
    for await (const item of client.iterateByUser(['zhangsan'], 50)) all.push(item);
    expect(all).toHaveLength(120);
    expect(new Set(all.map((i) => i.external_contact.external_userid)).size).toBe(120);
    expect(all[0].follow_info).toMatchObject({ userid: 'zhangsan', createtime: expect.any(Number) });
    expect(calls('/cgi-bin/externalcontact/batch/get_by_user')).toBe(4);
  });

  it('getFollowUserList lists members with customer contact', async () => {
    await control(sim, 'POST', '/sim/members', { userid: 'lisi', status: 1 });
    expect((await clientFor(sim).getFollowUserList()).sort()).toEqual(['lisi', 'zhangsan']);
  });

  it('contact ways: add, get, update, list, delete and their errcodes', async () => {
    const client = clientFor(sim);
    const made = await client.addContactWay({ type: 1, scene: 2, user: ['zhangsan'], state: 'store-7', remark: '门店7' });
    expect(made.qr_code).toMatch(new RegExp(`^${sim.url}/sim/qr/`));
    expect(await client.getContactWay(made.config_id)).toMatchObject({ config_id: made.config_id, type: 1, scene: 2, state: 'store-7', user: ['zhangsan'] });
    await client.updateContactWay({ config_id: made.config_id, state: 'store-8' });
    expect((await client.getContactWay(made.config_id)).state).toBe('store-8');
    expect((await client.listContactWays()).contact_way).toEqual([{ config_id: made.config_id }]);
    await client.delContactWay(made.config_id);

    const code = async (p: Promise<unknown>) => ((await failure(p)) as WecomApiError).errcode;
    expect(await code(client.getContactWay(made.config_id))).toBe(41044);
    expect(await code(client.addContactWay({ type: 5 as 1, scene: 2, user: ['zhangsan'] }))).toBe(41039);
    expect(await code(client.addContactWay({ type: 1, scene: 3 as 2, user: ['zhangsan'] }))).toBe(41040);
    expect(await code(client.addContactWay({ type: 2, scene: 2, user: Array.from({ length: 101 }, () => 'zhangsan') }))).toBe(41041);
    await control(sim, 'POST', '/sim/contact-way-quota', { quota: 0 });
    expect(await code(client.addContactWay({ type: 1, scene: 1, user: ['zhangsan'] }))).toBe(41045);
  });

  it('sendWelcomeMsg succeeds once; 41051 and 41050 are permanent', async () => {
    const client = clientFor(sim);
    const added = await control<{ welcome_code: string }>(sim, 'POST', '/sim/customers/add', { userid: 'zhangsan' });
    await client.sendWelcomeMsg({ welcome_code: added.welcome_code, text: { content: '您好' } });
    expect(await failure(client.sendWelcomeMsg({ welcome_code: added.welcome_code, text: { content: '您好' } }))).toMatchObject({ errcode: 41051, transient: false });
    expect(await failure(client.sendWelcomeMsg({ welcome_code: 'stale', text: { content: '您好' } }))).toMatchObject({ errcode: 41050 });
    expect(calls('/cgi-bin/externalcontact/send_welcome_msg')).toBe(3);
  });

  it('bad credentials surface as credential errors (40013, 40001) without retries', async () => {
    expect(await failure(clientFor(sim, { corpId: 'wwwrong' }).getUser('zhangsan'))).toMatchObject({ errcode: 40013, kind: 'credential' });
    expect(await failure(clientFor(sim, { corpSecret: 'wrong-secret-value' }).getUser('zhangsan'))).toMatchObject({ errcode: 40001, kind: 'credential' });
    expect(calls('/cgi-bin/gettoken')).toBe(2);
  });

  it('token expiring in the middle of a burst of 50 calls costs exactly one gettoken', async () => {
    const client = clientFor(sim);
    await client.getUser('zhangsan');
    await control(sim, 'POST', '/sim/counters/reset');
    await control(sim, 'POST', '/sim/tokens/expire');
    const results = await Promise.all(Array.from({ length: 50 }, () => client.getUser('zhangsan')));
    expect(results.every((u) => u.userid === 'zhangsan')).toBe(true);
    expect(calls('/cgi-bin/gettoken')).toBe(1);
    expect(sim.counters()['/cgi-bin/user/get'].errors['42001']).toBeGreaterThan(0);
  });

  it('a short-lived token is refreshed before it expires', async () => {
    const shortSim = await startSimulator({ tokenTtlSeconds: 2 });
    try {
      await control(shortSim, 'POST', '/sim/members', { userid: 'zhangsan' });
      const client = clientFor(shortSim);
      await client.getUser('zhangsan');
      await new Promise((r) => setTimeout(r, 2100));
      await client.getUser('zhangsan');
      expect(shortSim.counters()['/cgi-bin/user/get'].errors).toEqual({});
      expect(shortSim.counters()['/cgi-bin/gettoken'].calls).toBe(2);
    } finally {
      await shortSim.close();
    }
  });

  it('40014 drops the token, refreshes and retries once; a second token error surfaces', async () => {
    const client = clientFor(sim);
    await client.getUser('zhangsan');
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: 40014, times: 1 });
    expect((await client.getUser('zhangsan')).userid).toBe('zhangsan');
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: 40014, times: 5 });
    expect(await failure(client.getUser('zhangsan'))).toMatchObject({ errcode: 40014, kind: 'token' });
  });

  it('retries -1 and 45009 with backoff, and 5xx only for idempotent APIs', async () => {
    const client = clientFor(sim);
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: -1, times: 2 });
    expect((await client.getUser('zhangsan')).userid).toBe('zhangsan');
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/externalcontact/list', errcode: 45009, times: 2 });
    expect(await client.listExternalContacts('zhangsan')).toEqual([]);
    expect(calls('/cgi-bin/user/get')).toBe(3);
    expect(calls('/cgi-bin/externalcontact/list')).toBe(3);

    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/externalcontact/get_follow_user_list', http5xx: 1 });
    expect(await client.getFollowUserList()).toContain('zhangsan');
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/externalcontact/add_contact_way', http5xx: 1 });
    const error = await failure(client.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    expect(error).toBeInstanceOf(WecomTransportError);
    expect(calls('/cgi-bin/externalcontact/add_contact_way')).toBe(1);

    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: -1, times: 10 });
    expect(await failure(client.getUser('zhangsan'))).toMatchObject({ errcode: -1, kind: 'busy' });
    expect(calls('/cgi-bin/user/get')).toBe(3 + 4);
  });

  it('never leaks the corp secret or access tokens into logs or errors', async () => {
    const logger = captureLogger();
    const texts: string[] = [];
    const collect = (error: unknown) => {
      texts.push(String(error), (error as Error).stack ?? '', JSON.stringify(error));
    };
    const client = clientFor(sim, { logger, retry: { baseDelayMs: 1, rateLimitDelayMs: 1, transportRetries: 1 } });
    await client.getUser('zhangsan');
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: 40014, times: 2 });
    await client.getUser('zhangsan').catch(collect);
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', http5xx: 3 });
    await client.getUser('zhangsan').catch(collect);
    await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', errcode: 45009, times: 5 });
    await client.getUser('zhangsan').catch(collect);
    await clientFor(sim, { logger, corpSecret: 'another-Wrong-secret-123' }).getUser('x').catch(collect);
    const unreachable = clientFor(sim, { logger, baseUrl: 'http://127.0.0.1:9', retry: { transportRetries: 0 } });
    await unreachable.getUser('zhangsan').catch(collect);

    const tokens = [...sim.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    expect(texts.length).toBeGreaterThanOrEqual(12);
    expect(logger.lines.length).toBeGreaterThan(3);
    const everything = [...logger.lines, ...texts].join('\n');
    for (const secret of [CORP_SECRET, 'another-Wrong-secret-123', ...tokens]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/access_token=(?!\[REDACTED\])/);
    expect(everything).not.toMatch(/corpsecret=(?!\[REDACTED\])/);
    expect(logger.lines.filter((line) => line.includes('token refreshed')).length).toBeLessThanOrEqual(4);
    expect(CORP_ID).toBeTruthy();
  });
});

describe('WeCom client rate limiting', () => {
  it('never exceeds the per-API budget under concurrent load and caps concurrency', async () => {
    const sim = await startSimulator({ perApiLimitPerMinute: 10, rateLimitWindowMs: 300 });
    try {
      await control(sim, 'POST', '/sim/members', { userid: 'zhangsan' });
      await control(sim, 'POST', '/sim/faults', { path: '/cgi-bin/user/get', latencyMs: 20 });
      const client = clientFor(sim, { limits: { perApiPerMinute: 10, windowMs: 300, concurrency: 4 } });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 35 }, () => client.getUser('zhangsan')));
      expect(results).toHaveLength(35);
      const counter = sim.counters()['/cgi-bin/user/get'];
      expect(counter.calls).toBe(35);
      expect(counter.errors).toEqual({});
      expect(counter.maxPerWindow).toBeLessThanOrEqual(10);
      expect(counter.maxConcurrent).toBeLessThanOrEqual(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await sim.close();
    }
  });
});
