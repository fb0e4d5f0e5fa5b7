import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import type { WecomSimulator } from '../../simulator/server.js';
import type { RobotSenderLike } from '../../plugin/alerts/index.js';
import { createRobotSender } from '../../plugin/alerts/robots.js';
import { buildFeature } from '../capacity/fixtures.js';
import { addRobot, startRobotSimulator } from './sim-helpers.js';

const WINDOW_MS = 1000;
const KEY = 'wecom-robot-key-unconfirmed';
const DING = 'ding-access-token-unconfirmed';
const LARK = 'feishu-hook-token-unconfirmed';
let db: TestDatabase;
let sim: WecomSimulator;

const fault = (body: Record<string, unknown>) => fetch(`${sim.url}/sim/faults`, { method: 'POST', body: JSON.stringify(body) });
const copiesOf = (text: string) => sim.state.robotMessages.filter((m) => m.content === text).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alerts(extra: { sender?: RobotSenderLike; workerId?: string; leaseMs?: number } = {}) {
  return buildFeature(
    db.knex,
    {
      alerts: {
        robots: [{ id: 'wx', channel: 'wecom', key: KEY }],
        robotBaseUrls: { wecom: sim.url },
        backoffBaseMs: 10,
        backoffMaxMs: 20,
        rateWindowMs: WINDOW_MS,
        sendTimeoutMs: 300,
        ...(extra.leaseMs ? { leaseMs: extra.leaseMs } : {}),
      },
    },
    { sender: extra.sender, workerId: extra.workerId },
  ).alerts;
}

async function enqueue(texts: string[]) {
  await db.knex('wss_alert_outbox').insert(texts.map((text) => ({ idempotency_key: `t:${text}`, kind: 'capacity_threshold', channel: 'wecom', robot_id: 'wx', payload: { text } })));
}

/** Runs delivery until nothing is due any more (backoffs are a few ms here). */
async function drain(service: ReturnType<typeof alerts>) {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    await service.deliverDue();
    const open = await db.knex('wss_alert_outbox').whereIn('status', ['pending', 'sending']).count<{ n: string }[]>({ n: '*' });
    if (Number(open[0].n) === 0) return;
    await sleep(25);
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startRobotSimulator(WINDOW_MS);
});
afterAll(async () => {
  await sim.close();
  await db.destroy();
});
beforeEach(async () => {
  await fetch(`${sim.url}/sim/reset`, { method: 'POST' });
  await addRobot(sim, { kind: 'wecom', key: KEY });
  await addRobot(sim, { kind: 'dingtalk', key: DING });
  await addRobot(sim, { kind: 'feishu', key: LARK });
  await db.knex('wss_alert_outbox').delete();
  await db.knex('wss_robot_send_ledger').delete();
});

describe('simulator robot faults (POST /sim/faults on a webhook path)', () => {
  it('refuses with 5xx or an errcode, answers late, or takes the message and loses the answer', async () => {
    const sender = createRobotSender({ baseUrls: { wecom: sim.url, dingtalk: sim.url, feishu: sim.url }, timeoutMs: 300 });
    const wecom = { kind: 'wecom' as const, key: KEY };
    await fault({ path: '/cgi-bin/webhook/send', http5xx: 1 });
    expect(await sender.send(wecom, { type: 'text', content: '五百' })).toMatchObject({ ok: false, failure: 'transient', code: 'http_502' });
    await fault({ path: '/cgi-bin/webhook/send', errcode: -1, times: 1 });
    expect(await sender.send(wecom, { type: 'text', content: '系统繁忙' })).toMatchObject({ ok: false, failure: 'transient', code: '-1' });
    await fault({ path: '/robot/send', errcode: 130101, times: 1 });
    expect(await sender.send({ kind: 'dingtalk', accessToken: DING }, { type: 'text', content: '钉钉限流' })).toMatchObject({ failure: 'rate_limited' });
    await fault({ path: '/open-apis/bot/v2/hook', http5xx: 1 });
    expect(await sender.send({ kind: 'feishu', token: LARK }, { type: 'text', content: '飞书故障' })).toMatchObject({ failure: 'transient' });
    expect(sim.state.robotMessages).toEqual([]);

    await fault({ path: '/cgi-bin/webhook/send', dropAnswers: 1 });
    expect(await sender.send(wecom, { type: 'text', content: '应答丢失' })).toMatchObject({ ok: false, failure: 'unconfirmed' });
    await fault({ path: '/cgi-bin/webhook/send', dropAnswers: 0, latencyMs: 600 });
    expect(await sender.send(wecom, { type: 'text', content: '应答太慢' })).toMatchObject({ ok: false, failure: 'unconfirmed' });
    await fetch(`${sim.url}/sim/faults`, { method: 'DELETE' });
    expect(await sender.send(wecom, { type: 'text', content: '恢复正常' })).toEqual({ ok: true });
    // Taken although the sender never heard back.
    expect(sim.state.robotMessages.map((m) => m.content)).toEqual(['应答丢失', '应答太慢', '恢复正常']);
  });
});

describe('alert delivery when the answer is lost', () => {
  it('sends again at most once: 13 warnings whose first answer is lost arrive twice at most, all sent', async () => {
    const texts = Array.from({ length: 13 }, (_, i) => `容量预警${i + 1}`);
    await enqueue(texts);
    await fault({ path: '/cgi-bin/webhook/send', dropAnswers: 13 });
    await drain(alerts());
    const copies = texts.map(copiesOf);
    expect(copies.every((n) => n >= 1 && n <= 2)).toBe(true);
    expect(copies.reduce((a, b) => a + b, 0) - texts.length).toBe(13);
    expect(await db.knex('wss_alert_outbox').pluck('status')).toEqual(Array(13).fill('sent'));
    const outcomes = await db.knex('wss_alert_attempts').orderBy(['outbox_id', 'attempt']).pluck('outcome');
    expect(outcomes).toEqual(texts.flatMap(() => ['unconfirmed', 'sent']));
  });

  it('gives up after two unanswered sends instead of sending a third copy, and says why', async () => {
    const texts = Array.from({ length: 13 }, (_, i) => `再次预警${i + 1}`);
    await enqueue(texts);
    await fault({ path: '/cgi-bin/webhook/send', dropAnswers: 26 });
    await drain(alerts());
    expect(texts.map(copiesOf)).toEqual(Array(13).fill(2));
    const rows = await db.knex('wss_alert_outbox').select('status', 'last_error');
    expect(rows.every((r) => r.status === 'failed' && r.last_error.startsWith('unconfirmed'))).toBe(true);
  });

  it('counts a worker that died after the robot took the message: one more send, never a third', async () => {
    await enqueue(['崩溃后预警']);
    // Each of these "processes" hands the message to the robot and then never finishes (killed).
    const dying: RobotSenderLike = {
      async send(target, message) {
        await createRobotSender({ baseUrls: { wecom: sim.url } }).send(target, message);
        return new Promise(() => undefined);
      },
    };
    void alerts({ sender: dying, workerId: 'first', leaseMs: 200 }).deliverDue();
    await sleep(400);
    void alerts({ sender: dying, workerId: 'second', leaseMs: 200 }).deliverDue();
    await sleep(400);
    const third = alerts({ workerId: 'third', leaseMs: 200 });
    expect(await third.deliverDue()).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
    expect(copiesOf('崩溃后预警')).toBe(2);
    expect(await db.knex('wss_alert_attempts').orderBy('attempt').pluck('outcome')).toEqual(['abandoned', 'abandoned', 'failed']);
  });
});
