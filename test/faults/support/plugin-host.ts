/**
 * A small host process for the fault suite: Koa + the plugin on one database, configured through
 * the environment. It keeps Node's default behaviour for unhandled rejections (the process dies), so
 * a plugin that leaves one shows up as a dead host. Faults it can inject into itself:
 * - WSS_KILL_ON_SQL (a regex) + WSS_KILL_AFTER (n, default 1): SIGKILL itself when the n-th matching
 *   query is about to be sent (knex `query` event), e.g. in the middle of applying a callback.
 * WSS_JOB_LEASE_MS: the jobs' lease (how long a killed host blocks them).
 * Prints one JSON line `{"ready":true,"port":…}` on stdout once it serves.
 */
import Koa from 'koa';
import knexFactory from 'knex';
import { createWecomStoreService } from '../../../plugin/index.js';
import type { PluginConfigInput } from '../../../plugin/config.js';
import type { Logger } from '../../../plugin/core/logger.js';

const env = process.env;
const db = knexFactory({ client: 'pg', connection: env.WSS_DB_URL!, pool: { min: 0, max: 8, acquireTimeoutMillis: 5000 } });

if (env.WSS_KILL_ON_SQL) {
  const pattern = new RegExp(env.WSS_KILL_ON_SQL, 'i');
  let left = Number(env.WSS_KILL_AFTER ?? 1);
  db.on('query', (query: { sql: string }) => {
    if (pattern.test(query.sql) && --left === 0) {
      process.stderr.write(`[host ${process.pid}] SIGKILL at: ${query.sql.slice(0, 120)}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  });
}

const tag = `[host ${env.WSS_NAME ?? process.pid}]`;
const line = (level: string) => (message: string, meta?: Record<string, unknown>) =>
  process.stderr.write(`${tag} ${level} ${message}${meta ? ' ' + JSON.stringify(meta) : ''}\n`);
const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };

const everySecond = (env.WSS_JOBS ?? '').split(',').filter(Boolean);
const allJobs = ['account-status-check', 'guide-pool-refill', 'metrics-rollup', 'directory-sync', 'capacity-sync', 'alert-delivery', 'wecom-callback-replay'];
const leaseMs = env.WSS_JOB_LEASE_MS ? { leaseMs: Number(env.WSS_JOB_LEASE_MS) } : {};
const jobs = Object.fromEntries(allJobs.map((id) => [id, everySecond.includes(id) ? { enabled: true, cron: '* * * * * *', ...leaseMs } : { enabled: false }]));
const extra = JSON.parse(env.WSS_CONFIG ?? '{}') as Partial<PluginConfigInput>;

const service = createWecomStoreService({
  db,
  logger,
  host: {
    authenticate: () => null,
    directory: { listBranches: async () => [], listStores: async () => ({ items: [], nextCursor: null }) },
  },
  config: {
    wecom: {
      apiBaseUrl: env.WSS_SIM_URL!,
      corpId: env.WSS_CORP_ID!,
      corpSecret: env.WSS_CORP_SECRET!,
      callbackToken: env.WSS_CALLBACK_TOKEN!,
      callbackEncodingAesKey: env.WSS_CALLBACK_AES_KEY!,
    },
    jobs,
    ...(env.WSS_DIRECT_URL ? { database: { directUrl: env.WSS_DIRECT_URL } } : {}),
    ...extra,
  },
});

if (env.WSS_MIGRATE === '1') await service.migrate();
await service.start({ jobs: everySecond.length > 0 });
const app = new Koa();
app.on('error', () => undefined);
app.use(service.middleware);
const server = app.listen(Number(env.WSS_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ ready: true, port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});

process.on('SIGTERM', () => {
  server.close();
  void service.close().then(() => db.destroy()).then(() => process.exit(0));
});
