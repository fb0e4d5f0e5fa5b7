/**
 * Event ingestion: POST /public/events (batches of 100, validated, idempotent, group commit) vs
 * PostgreSQL COPY of the same rows into the same table, same run, same database.
 * Goal: ≥0.5× COPY's events/s, and events sent = events stored.
 *
 * Fairness: the HTTP client runs in a worker thread (its own event loop, bench/support/load-worker.ts);
 * both paths are warmed up first; then ROUNDS rounds alternate which path goes first, with a
 * CHECKPOINT and an empty table (TRUNCATE) before every measured load. The ratio reported is the
 * median of the per-round ratios. A final resend of 10% of the batches must be all duplicates.
 *
 *   npx tsx bench/ingest-events.ts            # 100,000 events × 3 rounds
 *   INGEST_BENCH_EVENTS=300000 INGEST_BENCH_ROUNDS=5 npx tsx bench/ingest-events.ts
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { createWecomStoreService } from '../plugin/index.js';
import { silentLogger } from '../plugin/core/logger.js';
import { benchDatabase, cpuSnapshot, median, startLoadClient } from './bench-support.js';

const EVENTS = Number(process.env.INGEST_BENCH_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.INGEST_BENCH_ROUNDS ?? 3);
const BATCH = 100;
const CONCURRENCY = 16;
const TYPES = ['order_result_view', 'entry_click', 'guide_view', 'add_click', 'jump_result'] as const;

const db = await benchDatabase();
const service = createWecomStoreService({
  db: db.knex,
  host: { authenticate: () => null, directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) } },
  logger: silentLogger,
  config: {
    wecom: { corpId: 'ww', corpSecret: 's', callbackToken: 't', callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' },
    customerPath: { ingest: { perIpPerMinute: 100_000_000, perVisitorPerMinute: 1_000_000 } },
  },
});
let sunk = 0;
service.services.tracking.addSink({ name: 'bench', write: async (stored) => void (sunk += stored.length) });
const app = new Koa();
app.use(service.middleware);
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/plugins/wecom-store-service/public/events`;
const client = await startLoadClient();

const now = Date.now();
function makeEvents(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % TYPES.length];
    return {
      id: randomUUID(),
      type,
      storeId: `S${i % 5000}`,
      visitorId: `v${i % 40000}`,
      orderId: `O${i}`,
      clientType: 'h5',
      ...(type === 'guide_view' || type === 'add_click' || type === 'jump_result' ? { guideVisitId: `gv_${i % 20000}` } : {}),
      ...(type === 'jump_result' ? { outcome: i % 3 ? 'ok' : 'failed' } : {}),
      occurredAt: now - (i % 3_600_000),
    };
  });
}
type BenchEvent = ReturnType<typeof makeEvents>[number] & { guideVisitId?: string; outcome?: string };
const toBatches = (list: BenchEvent[]) => {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += BATCH) out.push(JSON.stringify({ events: list.slice(i, i + BATCH) }));
  return out;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'wss-ingest-'));
chmodSync(dir, 0o755);
const q = (v: string | null | undefined) => (v == null ? '' : `"${v.replace(/"/g, '""')}"`);
/** The same rows as CSV (day = Asia/Shanghai date), for COPY … FROM a file the server reads. */
function toCsv(list: BenchEvent[], name: string): string {
  const file = path.join(dir, name);
  const received = new Date().toISOString();
  writeFileSync(
    file,
    list
      .map((e) => {
        const at = new Date(e.occurredAt);
        const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
        return [q(e.id), q(e.type), q(e.storeId), q(e.visitorId), q(e.orderId), q(e.clientType), q(e.guideVisitId), q(e.outcome), at.toISOString(), received, day, ''].join(',');
      })
      .join('\n'),
  );
  chmodSync(file, 0o644);
  return file;
}

const WARM_EVENTS = Math.min(EVENTS, 30_000);
const headers = { 'Content-Type': 'text/plain' };
/** Same rows as a CSV file for COPY and as JSON batches handed to the worker; nothing kept here (no GC load on the server's heap). */
async function prepare(name: 'warm' | 'events', n: number): Promise<string> {
  const list: BenchEvent[] = makeEvents(n);
  await client.prepare(name, url, toBatches(list), headers);
  return toCsv(list, `${name}.csv`);
}
const csvFile = await prepare('events', EVENTS);
const warmCsv = await prepare('warm', WARM_EVENTS);

const { rows: [{ pid: backendPid }] } = await db.knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid');
/** CPU ms per 1,000 events spent by the server's main thread, the load worker and PostgreSQL. */
function cpuSince(before: ReturnType<typeof cpuSnapshot>, rows: number) {
  const after = cpuSnapshot(backendPid);
  const per = (ms: number) => (ms / rows) * 1000;
  return { server: per(after.serverMs - before.serverMs), client: per(after.processMs - before.processMs - (after.serverMs - before.serverMs)), pg: per(after.pgMs - before.pgMs) };
}
const fmtCpu = (c: { server: number; client: number; pg: number }) => `cpu/1k ev: server ${c.server.toFixed(0)} ms, client ${c.client.toFixed(0)} ms, pg ${c.pg.toFixed(0)} ms`;

const count = async () => Number((await db.knex('wss_tracking_events').count('* as n').first())!.n);
const reset = async () => {
  await db.knex.raw('TRUNCATE wss_tracking_events');
  await db.knex.raw('CHECKPOINT');
};

async function runCopy(file: string) {
  await reset();
  const cpu = cpuSnapshot(backendPid);
  const start = performance.now();
  await db.knex.raw(
    `COPY wss_tracking_events (client_event_id, type, store_id, visitor_id, order_id, client_type, guide_visit_id, outcome, occurred_at, received_at, day, props)
     FROM '${file}' WITH (FORMAT csv)`,
  );
  const ms = performance.now() - start;
  const used = cpuSince(cpu, EVENTS);
  const rows = await count();
  return { ms, rows, rate: (rows / ms) * 1000, cpu: used };
}

async function runHttp(name: 'warm' | 'events') {
  const sent = name === 'warm' ? WARM_EVENTS : EVENTS;
  await reset();
  sunk = 0;
  const cpu = cpuSnapshot(backendPid);
  const r = await client.post(name, CONCURRENCY);
  const used = cpuSince(cpu, sent);
  if (r.failures.length) throw new Error(`ingest failed ${r.failures.length}×, first: ${r.failures[0]}`);
  const stored = await count();
  return { ...r, stored, rate: (stored / r.ms) * 1000, cpu: used };
}

// Warm-up: JIT of the server and the client, the pool's connections, PostgreSQL's caches.
await runCopy(warmCsv);
for (let i = 0; i < 3; i++) await runHttp('warm');

console.log(`${EVENTS.toLocaleString('en')} events, batches of ${BATCH}, ${CONCURRENCY} concurrent clients (worker thread), ${ROUNDS} rounds after warm-up:`);
const ratios: number[] = [];
const copyRates: number[] = [];
const httpRates: number[] = [];
let allStored = true;
let last: Awaited<ReturnType<typeof runHttp>> | undefined;
for (let round = 0; round < ROUNDS; round++) {
  let copy: Awaited<ReturnType<typeof runCopy>>;
  let ingest: Awaited<ReturnType<typeof runHttp>>;
  if (round % 2 === 0) {
    copy = await runCopy(csvFile);
    ingest = await runHttp('events');
  } else {
    ingest = await runHttp('events');
    copy = await runCopy(csvFile);
  }
  last = ingest;
  const okRows = ingest.stored === EVENTS && ingest.accepted === EVENTS && copy.rows === EVENTS && sunk === EVENTS;
  allStored &&= okRows;
  ratios.push(ingest.rate / copy.rate);
  copyRates.push(copy.rate);
  httpRates.push(ingest.rate);
  console.log(
    `  round ${round + 1}: COPY ${copy.rate.toFixed(0).padStart(6)} ev/s (${copy.ms.toFixed(0)} ms)  POST ${ingest.rate.toFixed(0).padStart(6)} ev/s (${ingest.ms.toFixed(0)} ms)` +
      `  ratio ${(ingest.rate / copy.rate).toFixed(2)}×  accepted ${ingest.accepted} dup ${ingest.duplicates} rejected ${ingest.rejected} stored ${ingest.stored} sunk ${sunk}${okRows ? '' : '  MISMATCH ✗'}`,
  );
  console.log(`           COPY ${fmtCpu(copy.cpu)} | POST ${fmtCpu(ingest.cpu)}`);
}

// Idempotency under load: resend 10% of the batches (the last round's rows, same ids, are still there).
const again = await client.post('events', CONCURRENCY, 10);
const afterResend = await count();
const resendOk = again.accepted === 0 && again.duplicates === again.requests * BATCH && afterResend === EVENTS && !again.failures.length;

console.log(`  COPY (baseline)  : median ${median(copyRates).toFixed(0)} events/s`);
console.log(`  POST /events     : median ${median(httpRates).toFixed(0)} events/s  (last round ${last!.requests} requests)`);
console.log(`  ratio ingest/COPY: median ${median(ratios).toFixed(2)}×  [${ratios.map((r) => r.toFixed(2)).join(', ')}]  (goal ≥ 0.5×)`);
console.log(`  sent = stored in every round: ${allStored ? '✓' : 'MISMATCH ✗'}`);
console.log(`  resend of ${again.requests * BATCH} events: accepted ${again.accepted}, duplicates ${again.duplicates}, stored still ${afterResend}: ${resendOk ? '✓' : '✗'}`);

await client.close();
await service.close();
server.close();
await db.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(allStored && resendOk ? 0 : 1);
