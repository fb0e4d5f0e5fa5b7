/** Shared helpers of the customer-path benches: an embedded database and an HTTP load generator. */
import { mkdtempSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startDatabase } from '../demo/embedded-postgres.js';
import { migrateLatest } from '../plugin/db/migrate.js';

export async function benchDatabase(): Promise<{ knex: Knex; url: string; stop(): Promise<void> }> {
  const root = path.resolve('.data');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const server = await startDatabase({ dataDir: mkdtempSync(path.join(root, 'bench-pg-')), persistent: false });
  const admin = new pg.Client(server.url);
  await admin.connect();
  await admin.query('CREATE DATABASE wss_bench');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/wss_bench';
  const knex = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 10 } });
  await migrateLatest(knex);
  return {
    knex,
    url: url.toString(),
    async stop() {
      await knex.destroy();
      await server.stop();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function request(url: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', agent, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

/** Closed loop: `concurrency` clients, each sending the next request when the last answered. */
export async function closedLoop(urlFor: (i: number) => string, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const end = performance.now() + durationMs;
  let i = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await request(urlFor(i++));
        if (r.status !== 200 && r.status !== 304) errors++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / (durationMs / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/** Open loop: a fixed arrival rate, whatever the latency (the honest way to read p99 at a given load). */
export async function fixedRate(urlFor: (i: number) => string, perSecond: number, durationMs: number) {
  const latencies: number[] = [];
  const total = Math.round((perSecond * durationMs) / 1000);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      request(urlFor(i)).then((r) => {
        if (r.status !== 200 && r.status !== 304) errors++;
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { sent: total, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], errors };
}
