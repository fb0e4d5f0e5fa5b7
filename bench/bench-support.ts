/** Shared helpers of the customer-path benches: an embedded database and an HTTP load generator. */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { startDatabase } from '../demo/embedded-postgres.js';
import { migrateLatest } from '../plugin/db/migrate.js';
import type { BackgroundSql, ClosedLoopResult, FixedRateResult, LoadTask, PostResult } from './support/load-worker.js';

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

/**
 * The load generator in a worker thread (bench/support/load-worker.ts): the client gets its own event loop,
 * so the server's figures are not shared with the client's JSON, timers and socket handling.
 * One task at a time; the worker keeps its keep-alive sockets (and its JIT) between tasks.
 */
export async function startLoadClient() {
  const script = new URL('./support/load-worker.ts', import.meta.url).href;
  // A worker does not inherit tsx's loader hooks on Node 20: register them before importing the TS file.
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`, { eval: true });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let seq = 0;
  worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(m.error));
    else w?.resolve(m.result);
  });
  worker.on('error', (e) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  });
  const run = <T>(task: LoadTask) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, task });
    });
  return {
    /** Closed loop over `urls` (cycled): `concurrency` clients, each sending when the last answered. */
    closedLoop: (urls: string[], concurrency: number, durationMs: number) => run<ClosedLoopResult>({ op: 'closed', urls, concurrency, durationMs }),
    /** Open loop at a fixed arrival rate; latency counted from each request's due time; `background` SQL runs meanwhile. */
    fixedRate: (urls: string[], perSecond: number, durationMs: number, background?: BackgroundSql) =>
      run<FixedRateResult>({ op: 'fixed', urls, perSecond, durationMs, background }),
    /** Hands POST bodies to the worker, encoded there ahead of any measurement; `post(name)` sends them. */
    prepare: (name: string, url: string, bodies: string[], headers?: Record<string, string>) => run<number>({ op: 'prepare', name, url, bodies, headers }),
    /** POSTs every prepared body (or every `every`-th) once, `concurrency` at a time, summing `{ accepted, duplicates, rejected }` answers. */
    post: (name: string, concurrency: number, every?: number) => run<PostResult>({ op: 'post', name, concurrency, every }),
    close: () => worker.terminate(),
  };
}

export type LoadClient = Awaited<ReturnType<typeof startLoadClient>>;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux
function statTimes(file: string): { ppid: number; self: number; children: number } | null {
  try {
    const text = readFileSync(file, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm) ": state ppid … utime(12) stime(13) cutime(14) cstime(15), 0-based from state
    return { ppid: Number(f[1]), self: (Number(f[11]) + Number(f[12])) * TICK_MS, children: (Number(f[13]) + Number(f[14])) * TICK_MS };
  } catch {
    return null;
  }
}

/**
 * CPU time (ms) spent so far by this process's main thread (the server under test), by the whole
 * process (server + load worker), and by the PostgreSQL server whose backend `backendPid` is
 * (postmaster + its children, exited children included). Linux /proc; NaN elsewhere. CPU per event
 * is a steadier figure than wall time on a busy machine.
 */
export function cpuSnapshot(backendPid: number) {
  const main = statTimes(`/proc/self/task/${process.pid}/stat`);
  const usage = process.cpuUsage();
  const backend = statTimes(`/proc/${backendPid}/stat`);
  let pgMs = NaN;
  if (backend) {
    const postmaster = backend.ppid;
    const pm = statTimes(`/proc/${postmaster}/stat`);
    pgMs = pm ? pm.self + pm.children : NaN;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = statTimes(`/proc/${entry}/stat`);
      if (s && s.ppid === postmaster) pgMs += s.self;
    }
  }
  return { serverMs: main ? main.self : NaN, processMs: (usage.user + usage.system) / 1000, pgMs };
}
