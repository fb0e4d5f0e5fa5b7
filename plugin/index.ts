import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { createAccess } from './access/access.js';
import { parseConfig, type PluginConfigInput } from './config.js';
import { createDirectoryRoutes } from './directory/directory.routes.js';
import { createEntryFastPath, createEntryRoutes } from './entry/entry.routes.js';
import { publicBaseOf } from './entry/customer-path.js';
import { createTrackingRoutes } from './tracking/tracking.routes.js';
import { createMetricsRoutes } from './metrics/metrics.routes.js';
import { createBindingFeatureRoutes } from './bindings/bindings.module.js';
import { createCapacityRoutes } from './capacity/capacity.routes.js';
import { createAlertsRoutes } from './alerts/alerts.routes.js';
import { createWecomCallbackRoutes } from './wecom/callback.routes.js';
import type { HostAdapter } from './host/adapter.js';
import { createAssetsRoutes } from './http/assets.routes.js';
import { createPluginRouter } from './http/plugin-router.js';
import { createConsoleLogger, type Logger } from './logger.js';
import { loadManifest } from './manifest/manifest.js';
import { migrateLatest } from './db/migrate.js';
import { createServices } from './services.js';
import { createJobScheduler } from '../jobs/scheduler.js';

export type { Actor, HostAdapter, HostBranch, HostDirectory, HostStore, Page } from './host/adapter.js';
export type { Logger } from './logger.js';
export type { PluginConfig, PluginConfigInput } from './config.js';
export { ConfigError } from './config.js';
export { PERMISSIONS } from './access/permissions.js';

export interface CreateWecomStoreServiceOptions {
  /** The host's knex instance (pg). */
  db: Knex;
  host: HostAdapter;
  config: PluginConfigInput;
  logger?: Logger;
}

/**
 * Mounts the plugin: `app.use(service.middleware)` serves every route under `config.routesPrefix`.
 * Call `migrate()` before serving and `jobs.start()` in processes that should run scheduled jobs.
 */
export function createWecomStoreService(options: CreateWecomStoreServiceOptions) {
  const config = parseConfig(options.config);
  const logger = options.logger ?? createConsoleLogger();
  const manifest = loadManifest();
  const { db, host } = options;

  const access = createAccess(host);
  const services = createServices({ db, host, config, logger });
  const router = createPluginRouter({
    prefix: config.routesPrefix,
    logger,
    features: [createAssetsRoutes(),
      createEntryRoutes({
        entry: services.entry,
        guide: services.guide,
        apiBase: publicBaseOf(config),
        elementsUrl: `${publicBaseOf(config)}${manifest.assets.elements}`,
        guideVisitsPerIpPerMinute: config.customerPath.ingest.guideVisitsPerIpPerMinute,
      }),
      createTrackingRoutes({ tracking: services.tracking }),
      createWecomCallbackRoutes({ callbacks: services.wecomCallbacks, logger }),
      createDirectoryRoutes({ access, directory: services.directory }),
      createMetricsRoutes({ access, metrics: services.metrics, logger }),
      createCapacityRoutes({ access, capacity: services.capacity }),
      createAlertsRoutes({ access, alerts: services.alerts, rules: () => services.capacity.rules() }),
      ...createBindingFeatureRoutes({ access, bindings: services.bindings, entries: services.entries, imports: services.imports, exports: services.bindingExports })],
  });
  const routes = router.routes() as unknown as Middleware;
  // The public entry (hit on every paid order) is answered before the router matches all its layers:
  // with it 0.8–1.0× a bare Koa route, through the flat router alone 0.47× (bench/entry-endpoint.ts).
  const entryFastPath = createEntryFastPath({ entry: services.entry, prefix: config.routesPrefix });
  const middleware: Middleware = (ctx, next) => entryFastPath(ctx, () => routes(ctx, next));
  const jobs = createJobScheduler({ db, config, manifest, services, logger });

  return {
    manifest,
    config,
    router,
    middleware,
    services,
    access,
    jobs,
    migrate: () => migrateLatest(db),
    async close() {
      await jobs.stop();
      await services.imports.settled();
      await Promise.all([services.entry.close(), services.tracking.close(), services.wecomCallbacks.idle(), services.guide.poolIdle()]);
    },
  };
}

export type WecomStoreService = ReturnType<typeof createWecomStoreService>;
