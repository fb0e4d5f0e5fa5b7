import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { buildFeature } from '../capacity/fixtures.js';
import { addRobot, startFlakyProxy, startRobotSimulator } from './sim-helpers.js';

const KEY = 'wecom-robot-key-crash';
const LEASE_MS = 1500;
let db: TestDatabase;
let sim: WecomSimulator;
let proxy: Awaited<ReturnType<typeof startFlakyProxy>>;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startRobotSimulator(60_000);
  await addRobot(sim, { kind: 'wecom', key: KEY });
  proxy = await startFlakyProxy(sim.url);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
  await db.destroy();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a host process killed mid-delivery', () => {
  it('leaves the claimed message to be delivered exactly once after restart', async () => {
    await db.knex('wss_alert_outbox').insert({ idempotency_key: 'capacity:1:70:1:wx', kind: 'capacity_threshold', channel: 'wecom', robot_id: 'wx', payload: { text: '崩溃测试预警' } });
    proxy.control.hold = true;
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/delivery-worker.ts', import.meta.url))], {
      env: { ...process.env, WSS_DB_URL: db.url, WSS_ROBOT_BASE: proxy.url, WSS_ROBOT_KEY: KEY, WSS_LEASE_MS: String(LEASE_MS) },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    for (let i = 0; i < 200 && proxy.control.held === 0; i += 1) await sleep(50);
    expect(proxy.control.held).toBe(1);
    const claimed = await db.knex('wss_alert_outbox').first();
    expect(claimed).toMatchObject({ status: 'sending', locked_by: 'doomed-process', attempts: 1 });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    proxy.control.hold = false;

    // The restarted process: the dead worker's claim holds until its lease runs out, then it is reclaimed.
    const restarted = buildFeature(db.knex, { alerts: { robots: [{ id: 'wx', channel: 'wecom', key: KEY }], robotBaseUrls: { wecom: proxy.url }, leaseMs: LEASE_MS } }, { workerId: 'restarted' }).alerts;
    expect(await restarted.deliverDue()).toMatchObject({ claimed: 0 });
    await sleep(LEASE_MS + 100);
    expect(await restarted.deliverDue()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await restarted.deliverDue()).toMatchObject({ claimed: 0 });

    expect(sim.state.robotMessages.map((m) => m.content)).toEqual(['崩溃测试预警']);
    expect(await db.knex('wss_alert_outbox').first()).toMatchObject({ status: 'sent', attempts: 2, locked_by: null });
    const tries = await db.knex('wss_alert_attempts').orderBy('attempt').select('attempt', 'worker', 'outcome');
    expect(tries).toEqual([
      { attempt: 1, worker: 'doomed-process', outcome: 'abandoned' },
      { attempt: 2, worker: 'restarted', outcome: 'sent' },
    ]);
  });
});
