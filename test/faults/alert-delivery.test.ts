/**
 * Warnings delivered by two host processes while the robot loses answers and one host is killed
 * right after the robot accepted a message, before `sent` was committed. Every warning must arrive,
 * none more than twice; the figures include the duplicate window (robot acceptance → `sent`
 * committed: a host dying inside it makes the one duplicate the guarantee allows).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WecomSimulator } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startHost, type HostProcess } from './support/hosts.js';
import { ROBOT_KEY, hostConfig, printFigures, simCall, startScenarioSimulator, until } from './support/scenario.js';

const WARNINGS = 12;
const LOST_ANSWERS = 3;
const WINDOW_MS = 3000;
let db: TestDatabase;
let sim: WecomSimulator;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startScenarioSimulator('http://127.0.0.1:1', [], { robotWindowScale: WINDOW_MS / 60_000 });
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await sim?.close();
  await db?.destroy();
});

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

describe('alert delivery with lost answers and a host killed after the robot accepted', { timeout: 120_000 }, () => {
  it('delivers every warning at least once and at most twice', async () => {
    const texts = Array.from({ length: WARNINGS }, (_, i) => `门店客服${i + 1}(账号:kf_${i + 1})客户容量已达到70%,请及时处理。`);
    await db.knex('wss_alert_outbox').insert(texts.map((text, i) => ({ idempotency_key: `capacity:${i}:70:1:hq`, kind: 'capacity_threshold', channel: 'wecom', robot_id: 'hq', payload: { text } })));
    await simCall(sim, 'POST', 'faults', { path: '/cgi-bin/webhook/send', dropAnswers: LOST_ANSWERS });
    const config = hostConfig(sim.url, {});
    (config.alerts as Record<string, unknown>).rateWindowMs = WINDOW_MS;
    (config.alerts as Record<string, unknown>).leaseMs = 1500;
    const common = { dbUrl: db.url, simUrl: sim.url, jobs: ['alert-delivery'], config, jobLeaseMs: 2000 };
    // The first host dies when it is about to commit its 3rd `sent`: the robot has the message.
    const doomed = await startHost({ name: 'D1', killOnSql: /"sent_at" = clock_timestamp\(\)/, killAfter: 3, ...common });
    hosts.push(doomed);
    await until('the first host killed after an accepted send', () => !doomed.alive, 15_000);
    hosts.push(await startHost({ name: 'D2', ...common }));
    await until('every warning settled', async () => (await db.knex('wss_alert_outbox').whereIn('status', ['pending', 'sending'])).length === 0, 30_000);

    const received = sim.state.robotMessages.filter((m) => m.key === ROBOT_KEY);
    const copies = texts.map((t) => received.filter((m) => m.content === t).length);
    expect(copies.every((n) => n >= 1 && n <= 2)).toBe(true);
    const outbox = await db.knex('wss_alert_outbox').select('payload', 'status', 'sent_at', 'last_error');
    const attempts = await db.knex('wss_alert_attempts').select('outcome');
    // The duplicate window: from the robot taking a message to the outbox row committed `sent`.
    const windows = outbox
      .filter((row) => row.status === 'sent')
      .map((row) => row.sent_at.getTime() - Math.max(...received.filter((m) => m.content === row.payload.text).map((m) => Date.parse(m.at))))
      .filter((ms) => ms >= 0);
    printFigures('alert-delivery', {
      sent: WARNINGS,
      acknowledged: attempts.filter((a) => a.outcome === 'sent').length,
      stored: outbox.length,
      duplicated: copies.reduce((n, c) => n + c - 1, 0),
      lost: copies.filter((c) => c === 0).length,
      lostAnswers: LOST_ANSWERS,
      hostsKilled: 1,
      unconfirmedGivenUp: outbox.filter((r) => r.status === 'failed').length,
      duplicateWindowP50Ms: percentile(windows, 50),
      duplicateWindowP99Ms: percentile(windows, 99),
      duplicateWindowMaxMs: Math.max(...windows),
    });
    expect(copies.filter((c) => c === 0)).toEqual([]);
    expect(outbox.filter((r) => r.status === 'failed').every((r) => String(r.last_error).startsWith('unconfirmed'))).toBe(true);
  });
});
