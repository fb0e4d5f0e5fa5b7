/**
 * Event ingestion: POST /public/events (batches of 100, validated, idempotent multi-row INSERT with
 * group commit) vs PostgreSQL COPY of the same rows into the same table, same run.
 * Goal: ≥0.5× COPY's events/s, and events sent = events stored.
 *
 *   npx tsx bench/ingest-events.ts            # 100,000 events
 *   INGEST_BENCH_EVENTS=300000 npx tsx bench/ingest-events.ts
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { createWecomStoreService } from '../plugin/index.js';
import { silentLogger } from '../plugin/logger.js';
import { benchDatabase, request } from './bench-support.js';

const EVENTS = Number(process.env.INGEST_BENCH_EVENTS ?? 100_000);
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
const app = new Koa();
app.use(service.middleware);
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/plugins/wecom-store-service/public/events`;

const now = Date.now();
const events = Array.from({ length: EVENTS }, (_, i) => {
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
const batches: string[] = [];
for (let i = 0; i < EVENTS; i += BATCH) batches.push(JSON.stringify({ events: events.slice(i, i + BATCH) }));

const count = async () => Number((await db.knex('wss_tracking_events').count('* as n').first())!.n);

// 1. COPY baseline: the same rows as CSV, COPY … FROM a file the server reads.
const dir = mkdtempSync(path.join(os.tmpdir(), 'wss-ingest-'));
chmodSync(dir, 0o755);
const csvFile = path.join(dir, 'events.csv');
const q = (v: string | null | undefined) => (v == null ? '' : `"${v.replace(/"/g, '""')}"`);
const received = new Date().toISOString();
writeFileSync(
  csvFile,
  events
    .map((e) => {
      const at = new Date(e.occurredAt);
      const day = new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
      const x = e as { guideVisitId?: string; outcome?: string };
      return [q(e.id), q(e.type), q(e.storeId), q(e.visitorId), q(e.orderId), q(e.clientType), q(x.guideVisitId), q(x.outcome), at.toISOString(), received, day, ''].join(',');
    })
    .join('\n'),
);
chmodSync(csvFile, 0o644);
const copyStart = performance.now();
await db.knex.raw(
  `COPY wss_tracking_events (client_event_id, type, store_id, visitor_id, order_id, client_type, guide_visit_id, outcome, occurred_at, received_at, day, props)
   FROM '${csvFile}' WITH (FORMAT csv)`,
);
const copyMs = performance.now() - copyStart;
const copied = await count();
await db.knex.raw('TRUNCATE wss_tracking_events');

// 2. The ingestion endpoint.
let next = 0;
let accepted = 0;
let duplicates = 0;
let rejected = 0;
const httpStart = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const r = await request(base, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.body}`);
      const result = JSON.parse(r.body) as { accepted: number; duplicates: number; rejected: unknown[] };
      accepted += result.accepted;
      duplicates += result.duplicates;
      rejected += result.rejected.length;
    }
  }),
);
const httpMs = performance.now() - httpStart;
const stored = await count();

const copyRate = (copied / copyMs) * 1000;
const httpRate = (stored / httpMs) * 1000;
console.log(`${EVENTS.toLocaleString('en')} events, batches of ${BATCH}, ${CONCURRENCY} concurrent clients:`);
console.log(`  COPY (baseline)  : ${copyRate.toFixed(0)} events/s  (${copyMs.toFixed(0)} ms, ${copied} rows)`);
console.log(`  POST /events     : ${httpRate.toFixed(0)} events/s  (${httpMs.toFixed(0)} ms)`);
console.log(`  ratio ingest/COPY: ${(httpRate / copyRate).toFixed(2)}×  (goal ≥ 0.5×)`);
console.log(`  sent ${EVENTS}, accepted ${accepted}, duplicates ${duplicates}, rejected ${rejected}, stored ${stored}: ${stored === EVENTS ? 'sent = stored ✓' : 'MISMATCH ✗'}`);

await service.close();
server.close();
await db.stop();
process.exit(stored === EVENTS ? 0 : 1);
