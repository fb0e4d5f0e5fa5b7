/**
 * The host's knex behind PgBouncer in transaction pool mode: LISTEN cannot work through it, session
 * advisory locks would leak across pooled server connections. Start must say so, the entry cache must
 * not trust a deaf listener, jobs must run once per tick without overlapping, and counts must end
 * equal to WeCom's while the reconcile and the callback replay run in both host processes.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createWecomStoreService, StartupError } from '../../plugin/index.js';
import { silentLogger } from '../../plugin/core/logger.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { FixtureDirectory, TEST_WECOM_CONFIG } from '../support/plugin-app.js';
import { setVisible } from '../entry/fixtures.js';
import { startBalancer, type Balancer } from './support/balancer.js';
import { startHost, startSchedulerHost, type HostProcess } from './support/hosts.js';
import { startPgBouncer, type RunningPgBouncer } from './support/pgbouncer.js';
import {
  callbackFigures, createJobRunsTable, hostConfig, liveCount, printFigures, seedAccounts, simCall, sleep, startScenarioSimulator, tickFigures, truthOf, until,
} from './support/scenario.js';

const ACCOUNTS = ['kf_pool_1', 'kf_pool_2'];
let db: TestDatabase;
let bouncer: RunningPgBouncer;
let pooled: Knex;
let sim: WecomSimulator;
let balancer: Balancer;
const hosts: HostProcess[] = [];
const stale: number[] = [];

function plugin(directUrl?: string) {
  return createWecomStoreService({
    db: pooled,
    logger: silentLogger,
    host: { authenticate: () => null, directory: new FixtureDirectory() },
    config: {
      wecom: TEST_WECOM_CONFIG,
      customerPath: { entryListenerHeartbeatMs: 200, entryCacheMaxAgeSeconds: 60 },
      ...(directUrl ? { database: { directUrl } } : {}),
    },
  });
}

/** Hides S_POOL_1 after its entry was read (cached) and returns how long the entry still showed. */
async function staleAfterHiding(service: ReturnType<typeof plugin>): Promise<number> {
  await setVisible(db.knex, 'S_POOL_1', true);
  await until('shown', async () => (await service.services.customerPath.entry.read('S_POOL_1')).payload.visible);
  await setVisible(db.knex, 'S_POOL_1', false);
  const ms = await until('hidden', async () => !(await service.services.customerPath.entry.read('S_POOL_1')).payload.visible, 5000, 10);
  stale.push(ms);
  return ms;
}

beforeAll(async () => {
  db = await createTestDatabase();
  bouncer = await startPgBouncer(inject('pgServerUrl'));
  pooled = knexFactory({ client: 'pg', connection: bouncer.urlFor(db.url), pool: { min: 0, max: 5 } });
  balancer = await startBalancer();
  sim = await startScenarioSimulator(balancer.url, ACCOUNTS);
  await seedAccounts(db.knex, ACCOUNTS.map((userid, i) => ({ userid, storeId: `S_POOL_${i + 1}`, limit: 5000 })));
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await pooled?.destroy();
  await bouncer?.stop();
  await balancer?.close();
  await sim?.close();
  await db?.destroy();
});

describe('behind PgBouncer in transaction mode', { timeout: 120_000 }, () => {
  it('fails start loudly without a direct connection for LISTEN, and never trusts the deaf listener meanwhile', async () => {
    const service = plugin();
    try {
      const failure = await service.start({ jobs: false }).then(() => null, (error: unknown) => error);
      expect(failure).toBeInstanceOf(StartupError);
      expect((failure as StartupError).setting).toBe('database.directUrl');
      expect((failure as Error).message).toMatch(/transaction pooler/);
      // Served anyway (the host may ignore the failure): every read goes to the database.
      expect(await staleAfterHiding(service)).toBeLessThan(200);
      expect(service.services.customerPath.entry.stats().live).toBe(false);
    } finally {
      await service.close();
    }
  });

  it('starts with database.directUrl and hears every toggle through it', async () => {
    const service = plugin(db.url);
    try {
      await service.start({ jobs: false });
      expect(service.services.customerPath.entry.stats().live).toBe(true);
      expect(await staleAfterHiding(service)).toBeLessThan(500);
      expect(service.services.customerPath.entry.stats().hits).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  });

  it('runs every job once per tick in two processes, with no lock left behind and no overlap', async () => {
    await createJobRunsTable(db.knex);
    const schedulers = await Promise.all(['pooled-1', 'pooled-2'].map((name) => startSchedulerHost({ name, dbUrl: bouncer.urlFor(db.url), runMs: 150 })));
    hosts.push(...schedulers);
    const from = Date.now() + 1000;
    await sleep(6000);
    const to = Date.now() - 500;
    await Promise.all(schedulers.map((h) => h.stop()));
    const figures = await tickFigures(db.knex, from, to);
    printFigures('pgbouncer-jobs', { ...figures });
    expect(figures.ticks).toBeGreaterThanOrEqual(7 * 3);
    expect(figures).toMatchObject({ duplicated: 0, missed: 0, overlaps: 0 });
  });

  it('keeps live counts equal to WeCom with the reconcile and the replay running in both hosts', async () => {
    for (const userid of ACCOUNTS) await simCall(sim, 'POST', 'customers/set-count', { userid, count: 150 });
    const jobs = ['capacity-sync', 'wecom-callback-replay', 'alert-delivery'];
    const config = hostConfig(sim.url, { customerPath: { entryListenerHeartbeatMs: 200 } });
    const started = await Promise.all(['P1', 'P2'].map((name) => startHost({ name, dbUrl: bouncer.urlFor(db.url), directUrl: db.url, simUrl: sim.url, jobs, config })));
    hosts.push(...started);
    balancer.targets = started.map((h) => h.url);
    const added: Record<string, string[]> = { kf_pool_1: [], kf_pool_2: [] };
    for (let i = 0; i < 60; i += 1) {
      const userid = ACCOUNTS[i % 2];
      if (i % 4 === 3) {
        await simCall(sim, 'POST', 'customers/delete', { userid, externalUserId: added[userid].shift(), by: 'customer', wait: 'none' });
      } else {
        added[userid].push((await simCall(sim, 'POST', 'customers/add', { userid, wait: 'none' })).external_userid);
      }
      await sleep(40);
    }
    await sim.waitForCallbacks();
    await until('callbacks applied', async () => (await db.knex('wss_wecom_callback_events').whereNull('processed_at')).length === 0, 20_000);
    // One more reconcile after the last callback, then the counts must hold still.
    const after = Date.now();
    await until('a reconcile after the burst', async () => {
      const run = await db.knex('wss_job_runs').where('job_id', 'capacity-sync').first();
      return Boolean(run?.finished_at && run.started_at.getTime() > after);
    });
    const counts = await Promise.all(ACCOUNTS.map((u) => liveCount(db.knex, u)));
    expect(counts).toEqual(ACCOUNTS.map((u) => truthOf(sim, u).length));
    expect(started.every((h) => h.alive)).toBe(true);
    const figures = await callbackFigures(sim, db.knex);
    expect(figures).toMatchObject({ duplicated: 0, lost: 0 });
    printFigures('pgbouncer-hosts', {
      ...figures,
      countErrors: counts.reduce((n, c, i) => n + Math.abs(c - truthOf(sim, ACCOUNTS[i]).length), 0),
      entryStaleMsMax: Math.max(...stale),
      listenWithoutDirectUrl: 'StartupError',
    });
  });
});
