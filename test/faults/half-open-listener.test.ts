/**
 * The entry cache's LISTEN connection goes half-open (a TCP proxy in front of PostgreSQL stops
 * forwarding it without FIN or RST): a hidden store must stop showing within a bounded time, the
 * listener must say so in the log, and come back by itself on a new connection.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWecomStoreService } from '../../plugin/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { FixtureDirectory, TEST_WECOM_CONFIG } from '../support/plugin-app.js';
import { captureLogger } from '../wecom/helpers.js';
import { seedStore, setVisible } from '../entry/fixtures.js';
import { startPgProxy, type PgProxy } from './support/tcp-proxy.js';
import { printFigures, until } from './support/scenario.js';

const HEARTBEAT_MS = 200;
const ROUNDS = 5;
let db: TestDatabase;
let proxy: PgProxy;
let proxied: Knex;
let service: ReturnType<typeof createWecomStoreService>;
const logger = captureLogger();

beforeAll(async () => {
  db = await createTestDatabase();
  await seedStore(db.knex, { id: 'S_HALF', visible: true });
  proxy = await startPgProxy(db.url);
  // Every connection of the plugin goes through the proxy; only the one that LISTENs is frozen.
  proxied = knexFactory({ client: 'pg', connection: proxy.url, pool: { min: 0, max: 5 } });
  service = createWecomStoreService({
    db: proxied,
    logger,
    host: { authenticate: () => null, directory: new FixtureDirectory() },
    config: { wecom: TEST_WECOM_CONFIG, customerPath: { entryListenerHeartbeatMs: HEARTBEAT_MS, entryCacheMaxAgeSeconds: 60 } },
  });
});
afterAll(async () => {
  await service?.close();
  await proxied?.destroy();
  await proxy?.close();
  await db?.destroy();
});

const visible = async () => (await service.services.customerPath.entry.read('S_HALF')).payload.visible;

describe('a half-open LISTEN connection', { timeout: 120_000 }, () => {
  it(`stops serving a hidden store within a bounded time, ${ROUNDS} times in a row, and recovers each time`, async () => {
    const entry = service.services.customerPath.entry;
    const staleMs: number[] = [];
    const recoveredMs: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      await setVisible(db.knex, 'S_HALF', true);
      recoveredMs.push(await until('listener live and the store shown from the cache', async () => (await visible()) && entry.stats().live, 10_000, 20));
      entry.resetStats();
      expect(await visible()).toBe(true);
      expect(entry.stats().hits).toBe(1);

      expect(proxy.freezeListeners()).toBe(1);
      await setVisible(db.knex, 'S_HALF', false);
      staleMs.push(await until('the hidden store hidden', async () => !(await visible()), 10_000, 20));
      expect(entry.stats().live).toBe(false);
    }
    const bound = HEARTBEAT_MS * 3 + 500;
    printFigures('half-open-listener', {
      rounds: ROUNDS,
      heartbeatMs: HEARTBEAT_MS,
      staleMsMax: Math.max(...staleMs),
      staleMsBound: bound,
      recoveredMsMax: Math.max(...recoveredMs.slice(1)),
      frozenConnections: proxy.frozen,
    });
    expect(Math.max(...staleMs)).toBeLessThanOrEqual(bound);
    // Each lapse is logged (on the next heartbeat tick) before the connection is replaced.
    await until('every lapse logged', () => logger.lines.filter((l) => l.includes('missed its heartbeats')).length >= ROUNDS, 3000);
  });
});
