/**
 * capacity-sync: reconcile 10,000 bound accounts with externalcontact/list against the simulator at
 * its configured API limit, and compare the time with the rate floor (calls ÷ limit × window).
 *
 * The clock is scaled down so the bench runs in seconds: the simulator's "minute" window is
 * BENCH_WINDOW_MS (default 1,000 ms) and its per-API limit BENCH_LIMIT (default 1,000 per window).
 * The plugin's client gets the same window and 90 % of the limit, as the real config does (9,000 of
 * WeCom's 10,000 a minute). At the real 10,000/min the same 10,000 calls need ≥ 60 s (≥ 67 s at 9,000).
 *
 * Baseline in the same run: the same sync with the client's budget switched off, more parallel
 * calls and no 45009 retries: how many calls WeCom refuses without the budget.
 *
 *   npx tsx bench/capacity-sync.ts            # ACCOUNTS=10000 by default
 *
 * Uses DATABASE_URL if set, otherwise an embedded PostgreSQL in .data/.
 */
import { mkdtempSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startDatabase } from '../demo/embedded-postgres.js';
import { migrateLatest } from '../plugin/db/migrate.js';
import { silentLogger } from '../plugin/core/logger.js';
import { parseConfig } from '../plugin/config.js';
import { createCapacityFeature } from '../plugin/capacity/index.js';
import { createContactEventLedger } from '../plugin/wecom-callbacks/index.js';
import { createAlertsFeature } from '../plugin/alerts/index.js';
import { createWecomClient } from '../plugin/wecom/client.js';
import { createMemoryTokenStore } from '../plugin/wecom/token-store.js';
import { createWecomSimulator } from '../simulator/server.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 10_000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 1000);
const LIMIT = Number(process.env.BENCH_LIMIT ?? 1000);
const CLIENT_BUDGET = Math.floor(LIMIT * 0.9);

const root = path.resolve('.data');
mkdirSync(root, { recursive: true, mode: 0o755 });
const server = await startDatabase({ dataDir: mkdtempSync(path.join(root, 'bench-pg-')), persistent: false });

async function freshDatabase(): Promise<Knex> {
  const name = `wss_bench_capacity_${Date.now()}`;
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = knexFactory({ client: 'pg', connection: server.urlFor(name), pool: { min: 0, max: 8 } });
  await migrateLatest(db);
  return db;
}

/** N stores with one primary each; every 10th account's live count is off by 2 (drift to find). */
async function seed(db: Knex) {
  await db('wss_branches').insert({ id: 'B1', name: '华东分公司' });
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => i);
  await db.raw(
    `INSERT INTO wss_stores (id, branch_id, name) SELECT 'S' || lpad(i::text, 6, '0'), 'B1', '门店' || i FROM unnest(?::int[]) AS i`,
    [ids],
  );
  await db.raw(
    `INSERT INTO wss_wecom_accounts (userid, name, customer_count, capacity_limit)
     SELECT 'kf' || i, '账号' || i, (i % 4) + CASE WHEN i % 10 = 0 THEN 2 ELSE 0 END, 5000 FROM unnest(?::int[]) AS i`,
    [ids],
  );
  await db.raw(
    `INSERT INTO wss_store_accounts (store_id, account_id, role, bound_by)
     SELECT 'S' || lpad(substr(a.userid, 3), 6, '0'), a.id, 'primary', 'bench' FROM wss_wecom_accounts a`,
  );
}

async function run(label: string, budget: number, rateLimitRetries: number, concurrency: number) {
  const sim = await createWecomSimulator({
    perApiLimitPerMinute: LIMIT,
    rateLimitWindowMs: WINDOW_MS,
    members: Array.from({ length: ACCOUNTS }, (_, i) => ({ userid: `kf${i}`, customers: i % 4 })),
  });
  const db = await freshDatabase();
  await seed(db);
  const wecom = createWecomClient({
    baseUrl: sim.url,
    corpId: sim.options.corpId,
    corpSecret: sim.options.corpSecret,
    tokenStore: createMemoryTokenStore(),
    limits: { perApiPerMinute: budget, windowMs: WINDOW_MS, concurrency },
    retry: { rateLimitRetries, rateLimitDelayMs: WINDOW_MS },
  });
  const config = parseConfig({ wecom: { apiBaseUrl: sim.url, corpId: 'x', corpSecret: 'y', callbackToken: 't', callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', concurrency } });
  const alerts = createAlertsFeature({ db, config: config.alerts, timezone: config.timezone, logger: silentLogger }).service;
  const capacity = createCapacityFeature({ db, config: config.capacity, logger: silentLogger, alerts, contactEvents: createContactEventLedger(), wecom, syncConcurrency: config.wecom.concurrency }).service;
  const started = performance.now();
  const report = await capacity.sync();
  const ms = performance.now() - started;
  const list = sim.counters()['/cgi-bin/externalcontact/list'];
  await db.destroy();
  await sim.close();
  return { label, ms, report, calls: list.calls, refused: list.errors['45009'] ?? 0, maxPerWindow: list.maxPerWindow };
}

const floorMs = (ACCOUNTS / LIMIT) * WINDOW_MS;
const budgetFloorMs = (ACCOUNTS / CLIENT_BUDGET) * WINDOW_MS;
console.log(`accounts ${ACCOUNTS}; simulator limit ${LIMIT} per ${WINDOW_MS} ms window (scaled minute); client budget ${CLIENT_BUDGET}`);

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const synced = await run(`plugin sync (budget on, concurrency ${CONCURRENCY})`, CLIENT_BUDGET, 3, CONCURRENCY);
const baseline = await run('baseline: budget off, concurrency 50', 1_000_000, 0, 50);

for (const r of [synced, baseline]) {
  console.log(
    `${r.label.padEnd(46)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ×${(r.ms / floorMs).toFixed(2)} of floor  ` +
      `calls ${r.calls}  45009 ${r.refused}  max/window ${r.maxPerWindow}  counted ${r.report.counted}  failed ${r.report.failed}  drifted ${r.report.drifted}`,
  );
}
console.log(`rate floor (calls ÷ limit × window): ${(floorMs / 1000).toFixed(2)} s; at the client budget: ${(budgetFloorMs / 1000).toFixed(2)} s`);
console.log(`plugin sync / budget floor: ×${(synced.ms / budgetFloorMs).toFixed(2)}; 45009 during plugin sync: ${synced.refused}`);
await server.stop();
