import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRobotSender, dingtalkSign, feishuSign, type RobotSender } from '../../plugin/alerts/robots.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { captureLogger, control, startSimulator } from './helpers.js';

const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const DING_TOKEN = 'ding-access-token-0001';
const DING_SECRET = 'SECd4f5e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0';
const FEISHU_TOKEN = 'feishu-hook-token-0001';
const FEISHU_SECRET = 'feishu-sign-secret-0001';

describe('group robots against the simulator', () => {
  let sim: WecomSimulator;
  let sender: RobotSender;
  const logger = captureLogger();

  beforeAll(async () => {
    sim = await startSimulator();
    sender = createRobotSender({ baseUrls: { wecom: sim.url, dingtalk: sim.url, feishu: sim.url }, logger });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await control(sim, 'POST', '/sim/reset');
    await control(sim, 'POST', '/sim/robots', { kind: 'wecom', key: WECOM_KEY });
    await control(sim, 'POST', '/sim/robots', { kind: 'dingtalk', key: DING_TOKEN, secret: DING_SECRET });
    await control(sim, 'POST', '/sim/robots', { kind: 'feishu', key: FEISHU_TOKEN, secret: FEISHU_SECRET });
  });

  it('signs like the vendors document', () => {
    // Expected values computed independently with Python's hmac module.
    expect(dingtalkSign('secret', 1700000000000)).toBe('OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=');
    expect(feishuSign('secret', 1700000000)).toBe('fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA=');
  });

  it('WeCom: delivers text and markdown, 93000 for an unknown key, 45009 after 20 a minute', async () => {
    expect(await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: '新客户', mentionAll: true })).toEqual({ ok: true });
    expect(await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'markdown', content: '**容量** 90%' })).toEqual({ ok: true });
    expect(await sender.send({ kind: 'wecom', key: 'removed-key' }, { type: 'text', content: 'x' })).toMatchObject({ ok: false, failure: 'permanent', code: '93000' });
    expect(await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: '长'.repeat(700) })).toMatchObject({ ok: false, failure: 'permanent', code: 'content_too_long' });
    for (let i = 0; i < 18; i += 1) expect((await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: `m${i}` })).ok).toBe(true);
    expect(await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: 'one too many' })).toMatchObject({ ok: false, failure: 'rate_limited', code: '45009' });
    const { messages } = await control<{ messages: { kind: string; content: string; body: { text?: { mentioned_list: string[] } } }[] }>(sim, 'GET', '/sim/robots/messages');
    expect(messages).toHaveLength(20);
    expect(messages[0]).toMatchObject({ kind: 'wecom', content: '新客户', body: { text: { mentioned_list: ['@all'] } } });
  });

  it('DingTalk: checks the HmacSHA256 sign (310000) and throttles after 20 a minute (130101)', async () => {
    expect(await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: DING_SECRET }, { type: 'text', content: '钉钉' })).toEqual({ ok: true });
    expect(await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: 'SECwrong' }, { type: 'text', content: 'x' })).toMatchObject({ ok: false, failure: 'permanent', code: '310000' });
    expect(await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN }, { type: 'text', content: 'unsigned' })).toMatchObject({ ok: false, code: '310000' });
    const stale = createRobotSender({ baseUrls: { dingtalk: sim.url }, now: () => Date.now() - 2 * 3_600_000 });
    expect(await stale.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: DING_SECRET }, { type: 'text', content: 'old' })).toMatchObject({ code: '310000' });
    for (let i = 0; i < 19; i += 1) expect((await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: DING_SECRET }, { type: 'markdown', title: 't', content: `m${i}` })).ok).toBe(true);
    expect(await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: DING_SECRET }, { type: 'text', content: '21st' })).toMatchObject({ ok: false, failure: 'rate_limited', code: '130101', retryAfterMs: 600_000 });
    expect(sim.state.robots.get(`dingtalk:${DING_TOKEN}`)?.throttledUntil).toBeGreaterThan(Date.now() + 9 * 60_000);
  });

  it('Feishu: checks the sign (19021) and limits to 5 a second (11232)', async () => {
    expect(await sender.send({ kind: 'feishu', token: FEISHU_TOKEN, secret: FEISHU_SECRET }, { type: 'text', content: '飞书' })).toEqual({ ok: true });
    expect(await sender.send({ kind: 'feishu', token: FEISHU_TOKEN, secret: 'wrong' }, { type: 'text', content: 'x' })).toMatchObject({ ok: false, failure: 'permanent', code: '19021' });
    expect(await sender.send({ kind: 'feishu', token: 'unknown', secret: FEISHU_SECRET }, { type: 'text', content: 'x' })).toMatchObject({ ok: false, failure: 'permanent' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => sender.send({ kind: 'feishu', token: FEISHU_TOKEN, secret: FEISHU_SECRET }, { type: 'text', content: `burst ${i}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok)).toEqual([
      expect.objectContaining({ failure: 'rate_limited', code: '11232' }),
      expect.objectContaining({ failure: 'rate_limited', code: '11232' }),
    ]);
  });

  it('lists accepted messages on /sim/robots and keeps keys out of logs', async () => {
    await sender.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: '页面可见' });
    await sender.send({ kind: 'wecom', key: 'removed-key-123' }, { type: 'text', content: 'x' });
    await sender.send({ kind: 'dingtalk', accessToken: DING_TOKEN, secret: 'bad-secret' }, { type: 'text', content: 'x' });
    const page = await (await fetch(`${sim.url}/sim/robots`)).text();
    expect(page).toContain('页面可见');
    const lines = logger.lines.join('\n');
    expect(lines).toContain('robot refused message');
    for (const secret of [WECOM_KEY, 'removed-key-123', DING_TOKEN, DING_SECRET, FEISHU_TOKEN, FEISHU_SECRET]) expect(lines).not.toContain(secret);
  });

  it('reports transport failures as transient', async () => {
    const offline = createRobotSender({ baseUrls: { wecom: 'http://127.0.0.1:9' }, timeoutMs: 500 });
    expect(await offline.send({ kind: 'wecom', key: WECOM_KEY }, { type: 'text', content: 'x' })).toMatchObject({ ok: false, failure: 'transient' });
  });
});
