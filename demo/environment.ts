import type { Server } from 'node:http';
import knexFactory, { type Knex } from 'knex';
import { createWecomStoreService, type WecomStoreService } from '../plugin/index.js';
import { loadManifest } from '../plugin/manifest/manifest.js';
import type { Logger } from '../plugin/logger.js';
import { createDemoApp } from './crm/app.js';
import { prepareCrmTables } from './crm/crm-schema.js';
import { createDemoHostAdapter } from './crm/host-adapter.js';

export interface DemoEnvironment {
  url: string;
  db: Knex;
  service: WecomStoreService;
  close(): Promise<void>;
}

/**
 * Everything `npm start` runs, minus the database start: used by the demo and by browser tests.
 * Idempotent on an existing database (seed rows are inserted once).
 */
export async function startDemoEnvironment(opts: { databaseUrl: string; port?: number; logger?: Logger; startJobs?: boolean }): Promise<DemoEnvironment> {
  const db = knexFactory({ client: 'pg', connection: opts.databaseUrl, pool: { min: 0, max: 10 } });
  await prepareCrmTables(db);
  const host = createDemoHostAdapter(db, loadManifest());
  const service = createWecomStoreService({
    db,
    host,
    logger: opts.logger,
    config: {
      wecom: {
        apiBaseUrl: 'http://127.0.0.1:1',
        corpId: 'ww_demo_corp',
        corpSecret: 'demo-secret-not-real',
        callbackToken: 'demoToken',
        callbackEncodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
      },
    },
  });
  await service.migrate();
  await service.services.directory.sync();
  if (opts.startJobs) service.jobs.start();
  const app = createDemoApp(service);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    service,
    async close() {
      await service.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}
