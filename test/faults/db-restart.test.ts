/**
 * PostgreSQL stopped for a few seconds and started again under two running host processes (Node's
 * default unhandled-rejection behaviour: one would kill its host). The hosts must stay up, WeCom's
 * retries must land once the database is back, jobs must resume, and the entry cache must listen
 * again by itself.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDatabase, type RunningDatabase } from '../../demo/embedded-postgres.js';
import { migrateLatest } from '../../plugin/db/migrate.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { setVisible } from '../entry/fixtures.js';
import { startBalancer, type Balancer } from './support/balancer.js';
import { startHost, type HostProcess } from './support/hosts.js';
import {
  PREFIX, activeContacts, callbackFigures, hostConfig, liveCount, printFigures, seedAccounts, simCall, sleep, startScenarioSimulator, truthOf, until,
} from './support/scenario.js';

const ACCOUNT = 'kf_restart';
const OUTAGE_MS = 3000;
let dataDir: string;
let port: number;
let server: RunningDatabase;
let url: string;
let knex: Knex;
let sim: WecomSimulator;
let balancer: Balancer;
const hosts: HostProcess[] = [];

const start = () => startDatabase({ dataDir, persistent: true, port });

beforeAll(async () => {
  const root = path.resolve('.data');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  dataDir = mkdtempSync(path.join(root, 'fault-restart-pg-'));
  port = await freePort();
  server = await start();
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query('CREATE DATABASE wss_restart');
  await admin.end();
  url = server.urlFor('wss_restart');
  // Quiet: this pool's idle connections break when the server stops, as intended.
  knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 4 }, log: { warn() {}, error() {}, debug() {}, deprecate() {} } });
  await migrateLatest(knex);
  await seedAccounts(knex, [{ userid: ACCOUNT, storeId: 'S_RESTART', limit: 5000 }]);
  balancer = await startBalancer();
  // WeCom retries an unanswered callback three times; spread them over the outage.
  sim = await startScenarioSimulator(balancer.url, [ACCOUNT], { callbackRetryDelayMs: 1500, callbackTimeoutMs: 2000 });
}, 120_000);
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await balancer?.close();
  await sim?.close();
  await knex?.destroy();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const entryVisible = async (host: HostProcess) => {
  const response = await fetch(`${host.url}${PREFIX}/public/entry/S_RESTART`);
  return response.ok ? ((await response.json()) as { visible: boolean }).visible : null;
};

describe('a database restart under running hosts', { timeout: 120_000 }, () => {
  it('keeps both hosts up, lands the callbacks sent during the outage, resumes the jobs and the entry listener', async () => {
    const jobs = ['wecom-callback-replay', 'alert-delivery', 'capacity-sync', 'metrics-rollup', 'guide-pool-refill', 'account-status-check'];
    const config = hostConfig(sim.url, { customerPath: { entryListenerHeartbeatMs: 200 } });
    hosts.push(...(await Promise.all(['R1', 'R2'].map((name) => startHost({ name, dbUrl: url, simUrl: sim.url, jobs, config })))));
    balancer.targets = hosts.map((h) => h.url);
    for (let i = 0; i < 4; i += 1) await simCall(sim, 'POST', 'customers/add', { userid: ACCOUNT, wait: 'delivered' });
    await until('entry shown from the cache', async () => (await entryVisible(hosts[0])) === true);

    const down = Date.now();
    await server.stop();
    const duringOutage: (boolean | null)[] = [];
    for (let i = 0; i < 3; i += 1) await simCall(sim, 'POST', 'customers/add', { userid: ACCOUNT, wait: 'none' });
    while (Date.now() - down < OUTAGE_MS) {
      duringOutage.push(await entryVisible(hosts[1]));
      await sleep(250);
    }
    server = await start();
    const up = Date.now();

    await sim.waitForCallbacks();
    await until('callbacks applied', async () => (await knex('wss_wecom_callback_events').whereNull('processed_at')).length === 0, 20_000);
    expect(hosts.map((h) => h.alive)).toEqual([true, true]);
    const resumed = await until(
      'every job ran again after the restart',
      async () => (await knex('wss_job_runs').whereIn('job_id', jobs).where('finished_at', '>', new Date(up))).length === jobs.length,
      20_000,
    );

    // The entry listener is back: a toggle made now reaches both hosts.
    await setVisible(knex, 'S_RESTART', false);
    const hiddenMs = await until('hidden on both hosts', async () => (await Promise.all(hosts.map(entryVisible))).every((v) => v === false), 5000, 20);

    expect(await activeContacts(knex, ACCOUNT)).toEqual(truthOf(sim, ACCOUNT));
    // The capacity sync runs every second here and repairs a count the outage left off by one (seen
    // once under the full suite's load; see the stop's note): the count must settle on WeCom's.
    await until('live count equal to WeCom', async () => (await liveCount(knex, ACCOUNT)) === truthOf(sim, ACCOUNT).length, 15_000);
    const logs = hosts.map((h) => h.log.join(''));
    expect(logs.every((l) => l.includes('jobs cannot reach the database') && l.includes('jobs reach the database again'))).toBe(true);
    const figures = await callbackFigures(sim, knex);
    expect(figures).toMatchObject({ duplicated: 0, lost: 0 });
    printFigures('db-restart', {
      ...figures,
      outageMs: up - down,
      hostsAlive: `${hosts.filter((h) => h.alive).length}/2`,
      entryErrorsDuringOutage: duringOutage.filter((v) => v === null).length,
      jobsResumedMs: resumed,
      entryStaleMsAfter: hiddenMs,
    });
  });
});
