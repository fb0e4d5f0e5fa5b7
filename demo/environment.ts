import type { Server } from 'node:http';
import knexFactory, { type Knex } from 'knex';
import { createWecomStoreService, type WecomStoreService } from '../plugin/index.js';
import { loadManifest } from '../plugin/manifest/manifest.js';
import type { Logger } from '../plugin/core/logger.js';
import type { PluginConfigInput } from '../plugin/config.js';
import { createDemoApp } from './crm/app.js';
import { prepareCrmTables } from './crm/crm-schema.js';
import { createDemoHostAdapter } from './crm/host-adapter.js';
import { seedDemoMetrics } from './metrics-seed.js';
import { seedMembers } from './crm/seed-data.js';
import { demoCapacityConfig, seedDemoCapacity } from './capacity-seed.js';
import { seedDemoBindings } from './enterprise-seed.js';
import { createWecomSimulator, type WecomSimulator } from '../simulator/server.js';

/** The demo's WeCom app, as the simulator knows it. Real deployments put their own values in config. */
export const DEMO_WECOM = {
  corpId: 'ww4f2c1d9e0a7b3c5d',
  corpSecret: 'demo-app-secret-3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a1c3',
  agentId: '1000002',
  callbackToken: 'wssDemoCallbackToken',
  callbackEncodingAesKey: 'k3Jd8fQ2mZ7xV1cN9bR4tY6uI0oP5aS2dF8gH3jK7lM',
} as const;

/** The app's settings as the plugin takes them (the agent id is the simulator's, in callback envelopes). */
const { agentId: _agentId, ...DEMO_WECOM_APP } = DEMO_WECOM;

/** A few hundred customers per account, and three accounts near the warning levels. */
function demoCustomerCount(userid: string, index: number): number {
  const nearlyFull: Record<string, number> = { kf_s1002: 3620, kf_s2003: 4310, kf_s3001: 4790 };
  return nearlyFull[userid] ?? (index * 37) % 400;
}

export interface DemoEnvironment {
  url: string;
  db: Knex;
  service: WecomStoreService;
  /** The offline WeCom simulator the plugin talks to (also the robots' endpoints). */
  simulator: WecomSimulator;
  close(): Promise<void>;
}

/**
 * Everything `npm start` runs, minus the database start: used by the demo and by browser tests.
 * Idempotent on an existing database (seed rows are inserted once).
 */
export async function startDemoEnvironment(opts: {
  databaseUrl: string;
  port?: number;
  simulatorPort?: number;
  logger?: Logger;
  startJobs?: boolean;
  /** Binds a few stores near full so the capacity panel has something to show (npm start). */
  seedCapacityDemo?: boolean;
  /** Binds and shows most stores of each branch as in demo/enterprise-seed.ts (npm start). */
  seedBindingsDemo?: boolean;
  /** Top-level config sections that replace the demo's (tests), given the simulator's URL. */
  config?: (simulatorUrl: string) => Partial<PluginConfigInput>;
}): Promise<DemoEnvironment> {
  const db = knexFactory({ client: 'pg', connection: opts.databaseUrl, pool: { min: 0, max: 10 } });
  await prepareCrmTables(db);
  const simulator = await createWecomSimulator({
    port: opts.simulatorPort ?? 0,
    corpId: DEMO_WECOM.corpId,
    corpSecret: DEMO_WECOM.corpSecret,
    members: seedMembers().map((m, i) => ({ ...m, customers: demoCustomerCount(m.userid, i) })),
  });
  const host = createDemoHostAdapter(db, loadManifest());
  const service = createWecomStoreService({
    db,
    host,
    logger: opts.logger,
    config: {
      wecom: { ...DEMO_WECOM_APP, apiBaseUrl: simulator.url },
      // Plain mini-program scheme of a demo app id: on a desktop browser the jump fails and the guide
      // falls back to the QR code, which opens the simulator's add page.
      customerPath: { miniProgram: { appId: 'wx8d2f6b1c3a5e7d90', path: 'pages/store-service/index' } },
      ...demoCapacityConfig(simulator.url),
      ...opts.config?.(simulator.url),
    },
  });
  await service.migrate();
  await service.services.directory.sync();
  await seedDemoMetrics(db, service.services.stats, service.config.timezone);
  await seedDemoCapacity(db, simulator, service, { bindStores: opts.seedCapacityDemo ?? false });
  if (opts.seedBindingsDemo) await seedDemoBindings(db, simulator, service);
  await service.start({ jobs: opts.startJobs ?? false });
  const app = createDemoApp(service);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  simulator.setCallback({
    url: `${url}${service.config.routesPrefix}/wecom/callback`,
    token: DEMO_WECOM.callbackToken,
    encodingAesKey: DEMO_WECOM.callbackEncodingAesKey,
  });
  return {
    url,
    db,
    service,
    simulator,
    async close() {
      await service.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await simulator.close();
      await db.destroy();
    },
  };
}
