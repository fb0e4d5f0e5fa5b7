import knexFactory from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { buildFeature } from '../capacity/fixtures.js';
import { addRobot, startFlakyProxy, startRobotSimulator } from './sim-helpers.js';

const WINDOW_MS = 2000;
let db: TestDatabase;
let sim: WecomSimulator;
let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;

const robots = () => [
  { id: 'wx', channel: 'wecom' as const, key: 'wecom-robot-key-0001', mentions: { userids: ['zhangsan'], mobiles: ['13800000000'] } },
  { id: 'ding', channel: 'dingtalk' as const, key: 'ding-access-token-0001', secret: 'SECdingsecret0001', mentions: { mobiles: ['13800000000'] } },
  { id: 'lark', channel: 'feishu' as const, key: 'feishu-hook-token-0001', secret: 'feishusecret0001', mentions: { all: true } },
  { id: 'ding-bad', channel: 'dingtalk' as const, key: 'ding-access-token-0002', secret: 'SECwrongsecret' },
  { id: 'flaky', channel: 'wecom' as const, key: 'wecom-robot-key-0002' },
];

function feature(overrides: Record<string, unknown> = {}, knex = db.knex, workerId?: string) {
  return buildFeature(
    knex,
    {
      alerts: {
        robots: robots(),
        robotBaseUrls: { wecom: sim.url, dingtalk: sim.url, feishu: sim.url },
        rateWindowMs: WINDOW_MS,
        backoffBaseMs: 50,
        backoffMaxMs: 200,
        ...overrides,
      },
    },
    { workerId },
  ).alerts;
}

async function enqueue(robotId: string, texts: string[], channel = 'wecom') {
  await db.knex('wss_alert_outbox').insert(texts.map((text, i) => ({ idempotency_key: `t:${robotId}:${text}:${i}`, kind: 'test', channel, robot_id: robotId, payload: { text } })));
}
const row = (text: string) => db.knex('wss_alert_outbox').whereRaw("payload->>'text' = ?", [text]).first();
const attempts = async (text: string) => db.knex('wss_alert_attempts').where('outbox_id', (await row(text)).id).orderBy('attempt').select('attempt', 'outcome', 'error_code');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startRobotSimulator(WINDOW_MS);
  proxy = await startFlakyProxy(sim.url);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  await db.destroy();
});
beforeEach(async () => {
  await fetch(`${sim.url}/sim/reset`, { method: 'POST' });
  await addRobot(sim, { kind: 'wecom', key: 'wecom-robot-key-0001' });
  await addRobot(sim, { kind: 'wecom', key: 'wecom-robot-key-0002' });
  await addRobot(sim, { kind: 'dingtalk', key: 'ding-access-token-0001', secret: 'SECdingsecret0001' });
  await addRobot(sim, { kind: 'dingtalk', key: 'ding-access-token-0002', secret: 'SECdingsecret0002' });
  await addRobot(sim, { kind: 'feishu', key: 'feishu-hook-token-0001', secret: 'feishusecret0001' });
  await db.knex('wss_alert_outbox').delete();
  await db.knex('wss_robot_send_ledger').delete();
});

describe('alert delivery through the outbox', () => {
  it('signs and delivers to WeCom, DingTalk and Feishu robots with their @mentions; a bad signature fails for good', async () => {
    await enqueue('wx', ['企微消息']);
    await enqueue('ding', ['钉钉消息'], 'dingtalk');
    await enqueue('lark', ['飞书消息'], 'feishu');
    await enqueue('ding-bad', ['签名错误'], 'dingtalk');
    const report = await feature().deliverDue();
    expect(report).toMatchObject({ claimed: 4, sent: 3, failed: 1 });
    const byKind = Object.fromEntries(sim.state.robotMessages.map((m) => [m.kind, m]));
    expect(byKind.wecom.body).toMatchObject({ msgtype: 'text', text: { content: '企微消息', mentioned_list: ['zhangsan'], mentioned_mobile_list: ['13800000000'] } });
    expect(byKind.dingtalk.body).toMatchObject({ text: { content: '钉钉消息' }, at: { atMobiles: ['13800000000'] } });
    expect(byKind.feishu.content).toContain('飞书消息');
    expect(byKind.feishu.content).toContain('<at user_id="all">');
    expect(sim.state.robotMessages).toHaveLength(3);
    const bad = await row('签名错误');
    expect(bad).toMatchObject({ status: 'failed', attempts: 1 });
    expect(bad.last_error).toContain('310000');
    expect(bad.last_error).not.toContain('SECwrongsecret');
    expect(await attempts('企微消息')).toEqual([{ attempt: 1, outcome: 'sent', error_code: null }]);
  });

  it('retries a webhook answering 5xx with backoff, then delivers once', async () => {
    proxy.control.failures = 2;
    await enqueue('flaky', ['先失败后成功']);
    const alerts = feature({ robotBaseUrls: { wecom: proxy.url }, backoffBaseMs: 300, backoffMaxMs: 600 });
    expect(await alerts.deliverDue()).toMatchObject({ sent: 0, retried: 1 });
    expect((await row('先失败后成功')).status).toBe('pending');
    expect(await alerts.deliverDue()).toMatchObject({ claimed: 0 }); // not due yet: backoff
    await sleep(400);
    expect(await alerts.deliverDue()).toMatchObject({ retried: 1 });
    await sleep(750);
    expect(await alerts.deliverDue()).toMatchObject({ sent: 1 });
    expect(await attempts('先失败后成功')).toEqual([
      { attempt: 1, outcome: 'retry', error_code: 'http_502' },
      { attempt: 2, outcome: 'retry', error_code: 'http_502' },
      { attempt: 3, outcome: 'sent', error_code: null },
    ]);
    expect(sim.state.robotMessages.map((m) => m.content)).toEqual(['先失败后成功']);
  });

  it('marks a message failed after the bounded number of tries', async () => {
    proxy.control.failures = 10;
    await enqueue('flaky', ['一直失败']);
    const alerts = feature({ robotBaseUrls: { wecom: proxy.url }, maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 });
    let failed = 0;
    for (let i = 0; i < 20 && !failed; i += 1) {
      failed = (await alerts.deliverDue()).failed;
      await sleep(20);
    }
    expect(failed).toBe(1);
    expect(await row('一直失败')).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await attempts('一直失败')).map((a) => a.outcome)).toEqual(['retry', 'failed']);
    expect(await alerts.deliverDue()).toMatchObject({ claimed: 0 });
    proxy.control.failures = 0;
  });

  it('takes 45009 from a robot someone else filled up as "later", and delivers after the window', async () => {
    for (let i = 0; i < 20; i += 1) {
      await fetch(`${sim.url}/cgi-bin/webhook/send?key=wecom-robot-key-0001`, { method: 'POST', body: JSON.stringify({ msgtype: 'text', text: { content: `别的系统${i}` } }) });
    }
    await enqueue('wx', ['被限流的预警']);
    const alerts = feature();
    expect(await alerts.deliverDue()).toMatchObject({ retried: 1, sent: 0 });
    const waiting = await row('被限流的预警');
    expect(waiting.status).toBe('pending');
    expect(waiting.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(WINDOW_MS / 2);
    expect(await attempts('被限流的预警')).toEqual([{ attempt: 1, outcome: 'rate_limited', error_code: '45009' }]);
    await db.knex('wss_alert_outbox').where('id', waiting.id).update({ next_attempt_at: new Date(Date.now() + WINDOW_MS + 100) });
    await sleep(WINDOW_MS + 200);
    expect(await alerts.deliverDue()).toMatchObject({ sent: 1 });
  });

  it('sends at most 20 per robot per window across two processes, each message exactly once, no 45009', async () => {
    const texts = Array.from({ length: 30 }, (_, i) => `批量${i}`);
    await enqueue('wx', texts);
    const second = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 5 } });
    try {
      const [a, b] = await Promise.all([feature({ batchSize: 7 }, db.knex, 'proc-a').deliverDue(), feature({ batchSize: 7 }, second, 'proc-b').deliverDue()]);
      expect(a.sent + b.sent).toBe(20);
      expect(a.sent).toBeGreaterThan(0);
      expect(b.sent).toBeGreaterThan(0);
      const pending = await db.knex('wss_alert_outbox').where('status', 'pending');
      expect(pending).toHaveLength(10);
      expect(pending.every((p) => p.attempts === 0)).toBe(true);
      await sleep(WINDOW_MS + 300);
      const [c, d] = await Promise.all([feature({}, db.knex, 'proc-a').deliverDue(), feature({}, second, 'proc-b').deliverDue()]);
      expect(c.sent + d.sent).toBe(10);
    } finally {
      await second.destroy();
    }
    const delivered = sim.state.robotMessages.map((m) => m.content).sort();
    expect(delivered).toEqual([...texts].sort());
    expect(sim.counters()['/cgi-bin/webhook/send'].errors).toEqual({});
    const workers = await db.knex('wss_alert_attempts').distinct('worker').pluck('worker');
    expect(workers.sort()).toEqual(['proc-a', 'proc-b']);
  });
});
