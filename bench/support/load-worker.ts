/**
 * HTTP load generator run in a worker thread (started by `startLoadClient()` in bench-support), so
 * the client never shares the event loop of the server it measures. A lean HTTP/1.1 keep-alive
 * client on raw sockets (requests pre-encoded, minimal response parsing): the generator's own CPU
 * is kept small, which matters when client and server share a few cores. One task at a time;
 * every figure is measured here, in the worker.
 */
import net from 'node:net';
import { parentPort } from 'node:worker_threads';
import pg from 'pg';

export type LoadTask =
  | { op: 'closed'; urls: string[]; concurrency: number; durationMs: number }
  | { op: 'fixed'; urls: string[]; perSecond: number; durationMs: number; background?: BackgroundSql }
  | { op: 'prepare'; name: string; url: string; bodies: string[]; headers?: Record<string, string> }
  | { op: 'post'; name: string; concurrency: number; every?: number };

/** A statement run every `everyMs` during a task (e.g. toggling entries), `$1` = 1, 2, 3… */
export interface BackgroundSql { databaseUrl: string; sql: string; everyMs: number }

export interface ClosedLoopResult { requests: number; rps: number; p50: number; p99: number; errors: number; firstError?: string }
export interface FixedRateResult { sent: number; p50: number; p99: number; max: number; errors: number; firstError?: string; background: number }
export interface PostResult { ms: number; requests: number; accepted: number; duplicates: number; rejected: number; failures: string[] }

interface Reply { status: number; body: string }
const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection; one request at a time. */
class Connection {
  private socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private waiter: { resolve(r: Reply): void; reject(e: Error): void } | null = null;
  closed = false;

  constructor(host: string, port: number) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      this.parse();
    });
    const fail = (e: Error) => {
      this.closed = true;
      const w = this.waiter;
      this.waiter = null;
      w?.reject(e);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  send(request: Buffer): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.socket.write(request);
    });
  }

  private parse() {
    const end = this.pending.indexOf(HEADER_END);
    if (end < 0 || !this.waiter) return;
    const head = this.pending.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const start = end + 4;
    let body: Buffer;
    let rest: number;
    if (length) {
      rest = start + Number(length[1]);
      if (this.pending.length < rest) return;
      body = this.pending.subarray(start, rest);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const line = this.pending.indexOf('\r\n', at);
        if (line < 0) return;
        const size = parseInt(this.pending.toString('latin1', at, line), 16);
        if (this.pending.length < line + 2 + size + 2) return;
        if (size === 0) {
          rest = line + 4;
          break;
        }
        parts.push(this.pending.subarray(line + 2, line + 2 + size));
        at = line + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      rest = start; // 204 / 304: no body
      body = Buffer.alloc(0);
    }
    this.pending = this.pending.subarray(rest);
    const w = this.waiter;
    this.waiter = null;
    w.resolve({ status, body: body.toString('utf8') });
  }

  close() {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Idle connections per host:port, reused; a new one is opened when none is free. */
const idle = new Map<string, Connection[]>();
async function send(url: URL, request: Buffer): Promise<Reply> {
  const key = url.host;
  const free = idle.get(key) ?? [];
  idle.set(key, free);
  let conn = free.pop();
  while (conn?.closed) conn = free.pop();
  conn ??= new Connection(url.hostname, Number(url.port));
  const reply = await conn.send(request);
  if (!conn.closed) free.push(conn);
  return reply;
}

function encode(url: URL, method: string, body?: string, headers: Record<string, string> = {}): Buffer {
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (payload) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  return payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ok = (status: number) => status === 200 || status === 304;
const gets = (urls: string[]) => urls.map((u) => ({ url: new URL(u), request: encode(new URL(u), 'GET') }));

/** Closed loop: `concurrency` clients, each sending the next request when the last answered. */
async function closedLoop(t: Extract<LoadTask, { op: 'closed' }>): Promise<ClosedLoopResult> {
  const targets = gets(t.urls);
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + t.durationMs;
  let i = 0;
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: t.concurrency }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const target = targets[i++ % targets.length];
        const r = await send(target.url, target.request).catch((e: Error) => ({ status: 0, body: e.message }));
        if (!ok(r.status)) {
          errors++;
          firstError ??= `${r.status} ${r.body.slice(0, 100)}`;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, rps: (latencies.length / elapsed) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, firstError };
}

/**
 * Open loop: a fixed arrival rate whatever the latency; each latency is counted from the request's
 * due time (no coordinated omission).
 */
async function fixedRate(t: Extract<LoadTask, { op: 'fixed' }>): Promise<FixedRateResult> {
  const targets = gets(t.urls);
  const bg = t.background ? await startBackground(t.background) : undefined;
  const latencies: number[] = [];
  const total = Math.round((t.perSecond * t.durationMs) / 1000);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const fail = (why: string) => {
    errors++;
    firstError ??= why;
  };
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / t.perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Sent late (client behind): counted from the due time. Sent up to 1 ms early: from the send.
    const from = Math.min(due, performance.now());
    const target = targets[i % targets.length];
    pending.push(
      send(target.url, target.request).then(
        (r) => {
          if (!ok(r.status)) fail(`${r.status} ${r.body.slice(0, 100)}`);
          latencies.push(performance.now() - from);
        },
        (e: Error) => fail(e.message),
      ),
    );
  }
  await Promise.all(pending);
  const background = bg ? await bg.stop() : 0;
  latencies.sort((a, b) => a - b);
  return { sent: total, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], errors, firstError, background };
}

/** Runs `sql` every `everyMs` from this worker (its own connection), so the changes cost the server only their effects. */
async function startBackground(b: BackgroundSql) {
  const client = new pg.Client(b.databaseUrl);
  await client.connect();
  let n = 0;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => client.query(b.sql, [++n]));
  }, b.everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await client.end();
      return n;
    },
  };
}

/** POST bodies encoded ahead of the measurement (`prepare`), by name. */
const prepared = new Map<string, { url: URL; requests: Buffer[] }>();

/** Posts every prepared request (or every `every`-th) once, `concurrency` at a time; sums the ingestion answers. */
async function post(t: Extract<LoadTask, { op: 'post' }>): Promise<PostResult> {
  const p = prepared.get(t.name);
  if (!p) throw new Error(`nothing prepared as ${t.name}`);
  const requests = t.every ? p.requests.filter((_, i) => i % t.every! === 0) : p.requests;
  let next = 0;
  const result: PostResult = { ms: 0, requests: 0, accepted: 0, duplicates: 0, rejected: 0, failures: [] };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: t.concurrency }, async () => {
      while (next < requests.length) {
        const r = await send(p.url, requests[next++]);
        result.requests++;
        if (r.status !== 200) {
          result.failures.push(`${r.status}: ${r.body.slice(0, 200)}`);
          continue;
        }
        const answer = JSON.parse(r.body) as { accepted: number; duplicates: number; rejected: unknown[] };
        result.accepted += answer.accepted;
        result.duplicates += answer.duplicates;
        result.rejected += answer.rejected.length;
      }
    }),
  );
  result.ms = performance.now() - start;
  return result;
}

async function run(task: LoadTask): Promise<unknown> {
  switch (task.op) {
    case 'closed':
      return closedLoop(task);
    case 'fixed':
      return fixedRate(task);
    case 'prepare': {
      const url = new URL(task.url);
      prepared.set(task.name, { url, requests: task.bodies.map((b) => encode(url, 'POST', b, task.headers)) });
      return task.bodies.length;
    }
    case 'post':
      return post(task);
  }
}

parentPort!.on('message', (message: { id: number; task: LoadTask }) => {
  run(message.task).then(
    (result) => parentPort!.postMessage({ id: message.id, result }),
    (error: unknown) => parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});

process.on('exit', () => {
  for (const list of idle.values()) for (const c of list) c.close();
});
