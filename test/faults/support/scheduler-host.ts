/**
 * A host process running only the plugin's job scheduler, with jobs named like the plugin's seven
 * that record every run in `fault_job_runs` (an independent count of what the scheduler did).
 * WSS_STALL_MS: block the event loop that long, starting 20 ms before every second (a busy host).
 */
import { hostname } from 'node:os';
import knexFactory from 'knex';
import { createJobScheduler } from '../../../jobs/scheduler.js';
import type { Logger } from '../../../plugin/core/logger.js';

const env = process.env;
const name = env.WSS_NAME ?? String(process.pid);
const db = knexFactory({ client: 'pg', connection: env.WSS_DB_URL!, pool: { min: 0, max: 6 } });
const JOBS = ['account-status-check', 'guide-pool-refill', 'metrics-rollup', 'directory-sync', 'capacity-sync', 'alert-delivery', 'wecom-callback-replay'];
const runMs = Number(env.WSS_RUN_MS ?? 100);
const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
  process.stderr.write(`[scheduler ${name}] ${level} ${message}${meta ? ' ' + JSON.stringify(meta) : ''}\n`);
const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };

const scheduler = createJobScheduler({
  db,
  logger,
  timezone: 'Asia/Shanghai',
  owner: `${hostname()}:${name}`,
  jobs: JOBS.map((id) => ({
    id,
    cron: '* * * * * *',
    enabled: true,
    timeoutMs: 10_000,
    async run() {
      const [row] = await db('fault_job_runs').insert({ job_id: id, host: name, started_at: db.raw('clock_timestamp()') }).returning('id');
      await new Promise((resolve) => setTimeout(resolve, runMs));
      await db('fault_job_runs').where('id', row.id).update({ finished_at: db.raw('clock_timestamp()') });
    },
  })),
});

const stallMs = Number(env.WSS_STALL_MS ?? 0);
function stallBeforeNextSecond() {
  let delay = 1000 - (Date.now() % 1000) - 20;
  if (delay < 0) delay += 1000;
  setTimeout(() => {
    const until = Date.now() + stallMs;
    while (Date.now() < until) {
      /* busy: the event loop is blocked across the tick */
    }
    stallBeforeNextSecond();
  }, delay).unref();
}
if (stallMs > 0) stallBeforeNextSecond();

scheduler.start();
process.stdout.write(JSON.stringify({ ready: true, port: 0 }) + '\n');
process.on('SIGTERM', () => {
  void scheduler.stop().then(() => db.destroy()).then(() => process.exit(0));
});
