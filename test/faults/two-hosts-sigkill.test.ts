/**
 * Two host processes on one database behind a round-robin balancer, WeCom (the simulator) sending
 * callbacks, and hosts killed with SIGKILL in the middle of applying a callback: the plugin's counts
 * and contact rows must end equal to the simulator's truth, and every warning must arrive once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomStoreService } from '../../plugin/index.js';
import { silentLogger } from '../../plugin/core/logger.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { FixtureDirectory, TEST_WECOM_CONFIG } from '../support/plugin-app.js';
import { startBalancer, type Balancer } from './support/balancer.js';
import { startHost, type HostOptions, type HostProcess } from './support/hosts.js';
import {
  activeContacts, callbackFigures, hostConfig, liveCount, printFigures, seedAccounts, simCall, sleep, startScenarioSimulator, truthOf, until, warningsReceived,
} from './support/scenario.js';

const SMALL = 'kf_small'; // limit 10: the 7th customer crosses 70 %
const BIG = 'kf_big';
let db: TestDatabase;
let sim: WecomSimulator;
let balancer: Balancer;
const hosts: HostProcess[] = [];

/** Another process applying what is stored (the replay job's work), run when the test says. */
function replayer() {
  return createWecomStoreService({
    db: db.knex,
    logger: silentLogger,
    host: { authenticate: () => null, directory: new FixtureDirectory() },
    config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url }, ...(hostConfig(sim.url) as object) },
  });
}

async function host(name: string, options: Partial<HostOptions> = {}): Promise<HostProcess> {
  const started = await startHost({ name, dbUrl: db.url, simUrl: sim.url, config: hostConfig(sim.url), ...options });
  hosts.push(started);
  return started;
}

beforeAll(async () => {
  db = await createTestDatabase();
  balancer = await startBalancer();
  sim = await startScenarioSimulator(balancer.url, [SMALL, BIG]);
  await seedAccounts(db.knex, [
    { userid: SMALL, storeId: 'S_SMALL', limit: 10 },
    { userid: BIG, storeId: 'S_BIG', limit: 1000 },
  ]);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await balancer?.close();
  await sim?.close();
  await db?.destroy();
});

describe('two host processes, SIGKILL mid-apply', { timeout: 120_000 }, () => {
  it('applies a delete that overtook its add (the add stored by a host killed before applying it) in order', async () => {
    const a = await host('A', { killOnSql: /insert into wss_wecom_contacts/ });
    const b = await host('B');
    balancer.targets = [a.url, b.url];
    balancer.next = 0;
    const added = await simCall(sim, 'POST', 'customers/add', { userid: BIG, externalUserId: 'wm_overtaken', wait: 'delivered' });
    expect((await a.exited).signal).toBe('SIGKILL');
    const stored = await db.knex('wss_wecom_callback_events').where({ external_userid: 'wm_overtaken' }).first();
    expect(stored).toMatchObject({ change_type: 'add_external_contact', processed_at: null });

    // The delete reaches the surviving host and is applied there first; the replay comes after.
    await simCall(sim, 'POST', 'customers/delete', { userid: BIG, externalUserId: added.external_userid, by: 'customer', wait: 'delivered' });
    await until('the delete applied', async () => (await db.knex('wss_wecom_callback_events').where({ change_type: 'del_follow_user' }).whereNotNull('processed_at')).length === 1);
    const replay = replayer();
    await replay.services.wecomCallbacks.processPending();
    await replay.close();

    expect(await activeContacts(db.knex, BIG)).toEqual(truthOf(sim, BIG));
    expect(await liveCount(db.knex, BIG)).toBe(truthOf(sim, BIG).length);
  });

  it('keeps every delete and re-add made within one second (3 of 3 re-adds)', async () => {
    balancer.targets = balancer.targets.slice(1); // host B only
    // On a fresh second, so the add and the three delete + re-add cycles share one CreateTime.
    await sleep(1000 - (Date.now() % 1000) + 20);
    await simCall(sim, 'POST', 'customers/add', { userid: BIG, externalUserId: 'wm_flip', wait: 'none' });
    for (let i = 0; i < 3; i += 1) {
      await simCall(sim, 'POST', 'customers/delete', { userid: BIG, externalUserId: 'wm_flip', by: 'customer', wait: 'none' });
      await simCall(sim, 'POST', 'customers/add', { userid: BIG, externalUserId: 'wm_flip', wait: 'none' });
    }
    await sim.waitForCallbacks();
    const times = sim.callbacks.filter((c) => c.externalUserId === 'wm_flip').map((c) => c.createTime);
    expect(times).toHaveLength(7);
    expect(new Set(times).size).toBe(1);
    await until('every flip applied', async () => (await db.knex('wss_wecom_callback_events').whereNull('processed_at')).length === 0);
    expect(await db.knex('wss_wecom_callback_events').where({ external_userid: 'wm_flip', change_type: 'add_external_contact' })).toHaveLength(4);
    expect(await activeContacts(db.knex, BIG)).toEqual(truthOf(sim, BIG));
    expect(await liveCount(db.knex, BIG)).toBe(truthOf(sim, BIG).length);
  });

  it('queues the warning of an add whose host died between the apply and the threshold check', async () => {
    await simCall(sim, 'POST', 'customers/set-count', { userid: SMALL, count: 6 });
    await db.knex('wss_wecom_accounts').where({ userid: SMALL }).update({ customer_count: 6 });
    const doomed = await host('A2', { killOnSql: /wss_capacity_levels/ });
    balancer.targets = [doomed.url, ...balancer.targets];
    balancer.next = 0;
    await simCall(sim, 'POST', 'customers/add', { userid: SMALL, externalUserId: 'wm_seventh', wait: 'delivered' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    balancer.targets = balancer.targets.filter((t) => t !== doomed.url);

    // The replay job of another process finds what the dead one left, and delivers the warning.
    const replay = replayer();
    await replay.services.wecomCallbacks.processPending();
    await replay.services.alerts.deliverDue();
    await replay.close();
    expect(await liveCount(db.knex, SMALL)).toBe(7);
    expect([...warningsReceived(sim).values()]).toEqual([1]);
  });

  it('ends equal to the simulator under a burst with one host killed and restarted, every warning once', async () => {
    const jobs = ['wecom-callback-replay', 'alert-delivery'];
    await Promise.all(hosts.filter((h) => h.alive).map((h) => h.stop()));
    const a = await host('A3', { jobs });
    const b = await host('B3', { jobs });
    balancer.targets = [a.url, b.url];
    const customers: string[] = [];
    const burst = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        if (customers.length > 3 && i % 3 === 2) {
          const gone = customers.splice(Math.floor(customers.length / 2), 1)[0];
          await simCall(sim, 'POST', 'customers/delete', { userid: BIG, externalUserId: gone, by: i % 2 ? 'member' : 'customer', wait: 'none' });
        } else {
          customers.push((await simCall(sim, 'POST', 'customers/add', { userid: BIG, wait: 'none' })).external_userid);
        }
      }
    };
    await burst(30);
    await simCall(sim, 'POST', 'customers/add', { userid: SMALL, wait: 'none' });
    a.child.kill('SIGKILL');
    await burst(30);
    await simCall(sim, 'POST', 'customers/add', { userid: SMALL, wait: 'none' });
    const a2 = await host('A4', { jobs });
    balancer.targets = [a2.url, b.url];
    await burst(20);
    await sim.waitForCallbacks();
    // Two loaded workers of the full suite can slow the replay of what the killed host left: a minute.
    await until('everything applied', async () => (await db.knex('wss_wecom_callback_events').whereNull('processed_at')).length === 0, 60_000);

    expect(await activeContacts(db.knex, BIG)).toEqual(truthOf(sim, BIG));
    // kf_small's first six customers came silently (set-count): only its count can be compared.
    for (const userid of [BIG, SMALL]) expect(await liveCount(db.knex, userid)).toBe(truthOf(sim, userid).length);
    // kf_small went 7 → 9 (90 %): the 70 % warning stays the only one.
    await until('warnings delivered', async () => (await db.knex('wss_alert_outbox').whereNot('status', 'sent')).length === 0);
    const warnings = warningsReceived(sim);
    expect([...warnings.values()].every((n) => n === 1)).toBe(true);
    expect(await db.knex('wss_alert_outbox').where('kind', 'capacity_threshold')).toHaveLength(warnings.size);

    const figures = await callbackFigures(sim, db.knex);
    expect(figures).toMatchObject({ duplicated: 0, lost: 0 });
    const countErrors = (await Promise.all([BIG, SMALL].map(async (u) => Math.abs((await liveCount(db.knex, u)) - truthOf(sim, u).length)))).reduce((x, y) => x + y, 0);
    printFigures('two-hosts-sigkill', {
      ...figures,
      hostsKilled: 3,
      countErrors,
      warnings: warnings.size,
      warningDuplicates: [...warnings.values()].reduce((x, y) => x + y - 1, 0),
      warningsLost: 0,
    });
  });
});
