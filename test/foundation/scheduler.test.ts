import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory from 'knex';
import { createJobScheduler } from '../../jobs/scheduler.js';
import { createJobLeases } from '../../jobs/job-leases.js';
import { createWecomStoreService } from '../../plugin/index.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { FixtureDirectory, TEST_WECOM_CONFIG } from '../support/plugin-app.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('job scheduler', () => {
  it('aborts a run that outlives its timeout and keeps its lock until the run has really stopped', async () => {
    let stoppedAt = 0;
    const slow = {
      id: 'directory-sync',
      cron: '0 0 1 1 *',
      enabled: true,
      timeoutMs: 100,
      // Honours the signal, but needs 300 ms to wind down after the abort.
      run: (signal: AbortSignal) =>
        new Promise((_, reject) => {
          signal.addEventListener('abort', () => setTimeout(() => ((stoppedAt = Date.now()), reject(new Error('aborted'))), 300));
        }),
    };
    const a = createJobScheduler({ db: db.knex, logger: silentLogger, timezone: 'Asia/Shanghai', jobs: [slow] });
    const b = createJobScheduler({ db: db.knex, logger: silentLogger, timezone: 'Asia/Shanghai', jobs: [{ ...slow, run: async () => 'ran' }] });
    const first = a.runNow('directory-sync');
    await sleep(250); // past the timeout, before the run stopped
    expect((await b.runNow('directory-sync')).outcome).toBe('skipped_locked');
    const result = await first;
    expect(result.outcome).toBe('timeout');
    expect(Date.now()).toBeGreaterThanOrEqual(stoppedAt);
    const row = await db.knex('wss_job_runs').where('job_id', 'directory-sync').first();
    expect(row.outcome).toBe('timeout');
    expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(stoppedAt - 5);
    // Released once it stopped: the other process runs it now.
    expect(await b.runNow('directory-sync')).toMatchObject({ outcome: 'ok', result: 'ran' });
  });
});

describe('job leases (one row per job: works through a transaction pooler)', () => {
  it('runs a scheduled tick once: another process firing the same tick late skips it, the next tick runs', async () => {
    const a = createJobLeases(db.knex, 'process-a');
    const b = createJobLeases(db.knex, 'process-b');
    const tick = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect(await a.claim('metrics-rollup', tick, 5000)).toBe('claimed');
    expect(await b.claim('metrics-rollup', tick, 5000)).toBe('tick_done');
    await a.release('metrics-rollup', 'ok', 'done');
    expect(await b.claim('metrics-rollup', tick, 5000)).toBe('tick_done');
    expect(await b.claim('metrics-rollup', new Date(tick.getTime() + 1000), 5000)).toBe('claimed');
    expect(await a.claim('metrics-rollup', new Date(tick.getTime() + 2000), 5000)).toBe('locked');
  });

  it('frees the lease of a process that died without releasing it once the lease runs out', async () => {
    const dead = createJobLeases(db.knex, 'killed-process');
    const alive = createJobLeases(db.knex, 'survivor');
    expect(await dead.claim('capacity-sync', null, 200)).toBe('claimed');
    expect(await alive.claim('capacity-sync', null, 200)).toBe('locked');
    await sleep(250);
    expect(await alive.claim('capacity-sync', null, 200)).toBe('claimed');
    expect(await dead.renew('capacity-sync', 200)).toBe(false);
  });
});

describe('a database that cannot be reached', () => {
  it('skips runs without a rejection reaching the host, and says so once', async () => {
    const unreachable = knexFactory({ client: 'pg', connection: 'postgres://nobody:x@127.0.0.1:1/none', pool: { min: 0, max: 2, acquireTimeoutMillis: 500 }, log: { warn() {}, error() {}, debug() {}, deprecate() {} } });
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let ran = 0;
    const scheduler = createJobScheduler({
      db: unreachable,
      logger,
      timezone: 'Asia/Shanghai',
      jobs: [{ id: 'alert-delivery', cron: '* * * * * *', enabled: true, timeoutMs: 1000, run: async () => void (ran += 1) }],
    });
    try {
      expect(await scheduler.runNow('alert-delivery')).toMatchObject({ outcome: 'skipped_unavailable' });
      scheduler.start();
      await sleep(2300);
      await scheduler.stop();
      expect(ran).toBe(0);
      expect(unhandled).toEqual([]);
      expect(warnings.filter((w) => w.includes('cannot reach the database'))).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await unreachable.destroy();
    }
  });
});

describe('unexpected errors', () => {
  it('answer the plugin JSON 500 without details and reach the host app `error` listeners', async () => {
    const service = createWecomStoreService({
      db: db.knex,
      logger: silentLogger,
      config: { wecom: TEST_WECOM_CONFIG },
      host: {
        authenticate: () => {
          throw new Error('session store down: secret-ish detail');
        },
        directory: new FixtureDirectory(),
      },
    });
    const app = new Koa();
    const seen: Error[] = [];
    app.on('error', (err: Error) => seen.push(err));
    app.use(service.middleware);
    const server = app.listen(0);
    try {
      const port = (server.address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}${service.config.routesPrefix}/stores`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
      expect(seen.map((e) => e.message)).toEqual(['session store down: secret-ish detail']);
    } finally {
      server.close();
      await service.close();
    }
  });
});
