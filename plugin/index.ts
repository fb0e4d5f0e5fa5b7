/**
 * The plugin's front door. `createWecomStoreService` reads as the list of features and what each
 * depends on; reactions across features are ports on the receiving feature's service, wired here.
 */
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { createJobScheduler, type ScheduledJob } from '../jobs/scheduler.js';
import { createRouteGuard } from './access/access.js';
import { meRoutes } from './access/me.routes.js';
import { parseConfig, type PluginConfig, type PluginConfigInput } from './config.js';
import { createConsoleLogger, type Logger } from './core/logger.js';
import type { Feature, JobDeclaration, RouteSpec } from './core/feature.js';
import type { HostAdapter } from './host/adapter.js';
import { assetsRoutes } from './http/assets.routes.js';
import { createPluginRouter } from './http/plugin-router.js';
import { loadManifest, type PluginManifest } from './manifest/manifest.js';
import { migrateLatest } from './db/migrate.js';
import { createPluginWecomClient } from './wecom/index.js';
import { createTrackingFeature } from './tracking/index.js';
import { createCustomerPathFeature, createEntryFastPath } from './customer-path/index.js';
import { createEntryVisibilityFeature } from './entry-visibility/index.js';
import { createDirectoryFeature } from './directory/index.js';
import { createBindingsFeature, type AccountsCountedListener } from './bindings/index.js';
import { createAlertsFeature } from './alerts/index.js';
import { createCapacityFeature } from './capacity/index.js';
import { createStatsFeature } from './stats/index.js';
import { createContactEventLedger, createWecomCallbacksFeature } from './wecom-callbacks/index.js';
import { createOperationLogFeature } from './operation-log/index.js';
import { createMemberDirectoryFeature } from './member-directory/index.js';
import { createHandoverFeature } from './handover/index.js';
import { createMemberBehaviorFeature } from './member-behavior/index.js';
import { createPluginMetrics, type MetricsOptions } from './core/metrics.js';
import { createOperationsFeature } from './operations/index.js';
import { createRedactingLogger } from './core/redact.js';
import { createAcquisitionFeature } from './acquisition/index.js';
import type { GuideLinkSource } from './customer-path/index.js';

export type { Actor, HostAdapter, HostBranch, HostDirectory, HostStore, Page } from './host/adapter.js';
export type { Logger } from './core/logger.js';
export type { PluginMetrics, MetricsOptions } from './core/metrics.js';
export { createPinoLogger } from './core/pino-logger.js';
export type { PluginConfig, PluginConfigInput } from './config.js';
export type { RouteSpec } from './core/feature.js';
export type { TrackingSink, TrackedEvent } from './tracking/index.js';
export type * as Contract from './contract/index.js';
export { ConfigError } from './config.js';
export { StartupError } from './core/errors.js';
export { PERMISSIONS } from './core/permissions.js';

export interface CreateWecomStoreServiceOptions {
  /** The host's knex instance (pg). */
  db: Knex;
  host: HostAdapter;
  config: PluginConfigInput;
  logger?: Logger;
  /**
   * Prometheus metrics: the host's prom-client registry (or the plugin's own) and a name prefix;
   * `route` serves GET /ops/metrics (default: only when the plugin keeps its own registry).
   */
  metrics?: MetricsOptions & { route?: boolean };
}

/** Where customers reach the plugin routes: publicBaseUrl (absolute, includes the prefix) or the prefix. */
function publicBaseOf(config: PluginConfig): string {
  return (config.publicBaseUrl ?? config.routesPrefix).replace(/\/+$/, '');
}

/**
 * Mounts the plugin: `app.use(service.middleware)` serves every route under `config.routesPrefix`.
 * Call `migrate()`, then `start()` (it proves the features work through the configured connections
 * and starts the scheduled jobs unless `{ jobs: false }`).
 */
export function createWecomStoreService(options: CreateWecomStoreServiceOptions) {
  const config = parseConfig(options.config);
  // Every feature logs through this: the configured credentials never reach the host's logger.
  const logger: Logger = createRedactingLogger(options.logger ?? createConsoleLogger(), () => configuredSecrets(config));
  const manifest = loadManifest();
  const { db, host } = options;
  const publicBase = publicBaseOf(config);
  const metrics = createPluginMetrics(options.metrics);

  // One WeCom client for every feature: one token cache, one per-API budget, one concurrency cap.
  const wecom = createPluginWecomClient({ db, config: config.wecom, logger, metrics });

  // The guide asks the acquisition feature for links; it joins once alerts exist.
  const guideLinks: GuideLinkSource[] = [];
  const tracking = createTrackingFeature({ db, timezone: config.timezone, config: config.customerPath.ingest, logger, metrics });
  const customerPath = createCustomerPathFeature({
    db,
    config: config.customerPath,
    publicBase,
    elementsUrl: `${publicBase}${manifest.assets.elements}`,
    logger,
    tracking: tracking.service,
    contactWays: wecom,
    listenConnection: config.database.directUrl,
    metrics,
    guideLinks,
  });
  const alerts = createAlertsFeature({ db, config: config.alerts, timezone: config.timezone, logger, metrics });
  const acquisition = createAcquisitionFeature({ db, config: config.acquisition, alerts: alerts.service, wecom, timezone: config.timezone, logger });
  guideLinks.push(acquisition.service);
  const fillLevels = { warning: Math.min(...config.capacity.thresholds), hard: config.capacity.hardLevel };
  const entryVisibility = createEntryVisibilityFeature({
    db, shown: [customerPath.service], alerts: alerts.service, config: config.reviews, timezone: config.timezone, fillLevels,
  });
  const directory = createDirectoryFeature({ db, directory: host.directory, logger, storesClosed: [entryVisibility.service], timezone: config.timezone });
  // Capacity routes through bindings, and bindings tell capacity which accounts a bind counted:
  // that listener joins once capacity exists.
  const accountsCounted: AccountsCountedListener[] = [];
  const contactEvents = createContactEventLedger();
  const bindings = createBindingsFeature({
    db,
    wecom,
    concurrency: config.wecom.concurrency,
    logger,
    entries: entryVisibility.service,
    routingChanged: [customerPath.service, acquisition.service],
    accountsCounted,
    capacityLevels: fillLevels,
    contactEvents,
    timezone: config.timezone,
    metrics,
  });
  const capacity = createCapacityFeature({
    db,
    config: config.capacity,
    logger,
    alerts: alerts.service,
    contactEvents,
    wecom,
    routing: bindings.service,
    syncConcurrency: config.wecom.concurrency,
  });
  accountsCounted.push(capacity.service);
  const stats = createStatsFeature({ db, timezone: config.timezone, logger, lateEventHours: config.customerPath.ingest.maxAgeHours });
  const operationLog = createOperationLogFeature({ db, timezone: config.timezone });
  const memberDirectory = createMemberDirectoryFeature({ db, wecom, logger });
  const wecomCallbacks = createWecomCallbacksFeature({
    db,
    config: config.wecom,
    logger,
    listeners: [customerPath.service, capacity.service, acquisition.service],
    countListeners: [capacity.service],
    wecom,
    metrics,
  });
  const operations = createOperationsFeature({
    db,
    metrics,
    entryListener: () => customerPath.service.entry.stats(),
    jobs: () => jobs,
    metricsRoute: options.metrics?.route ?? !options.metrics?.registry,
  });
  const handover = createHandoverFeature({ db, wecom, counts: [capacity.service], hardLevel: config.capacity.hardLevel, logger });
  const memberBehavior = createMemberBehaviorFeature({ db, wecom, logger });

  const features: Feature<unknown>[] = [tracking, customerPath, entryVisibility, directory, bindings, memberDirectory, alerts, capacity, stats, operationLog, wecomCallbacks, handover, memberBehavior, operations, acquisition];
  const routes: RouteSpec[] = [...assetsRoutes(manifest.assets.elements), ...meRoutes(config.timezone), ...features.flatMap((f) => f.routes)];
  const router = createPluginRouter({ prefix: config.routesPrefix, logger, guard: createRouteGuard(host), routes });
  const routed = router.routes() as unknown as Middleware;
  // The public entry (hit on every paid order) is answered before the router matches its layers.
  const entryFastPath = createEntryFastPath({ entry: customerPath.service.entry, prefix: config.routesPrefix }) as unknown as Middleware;
  const middleware: Middleware = (ctx, next) => entryFastPath(ctx, () => routed(ctx, next));
  const jobs = createJobScheduler({ db, logger, timezone: config.timezone, jobs: scheduledJobs(manifest, config, features.flatMap((f) => f.jobs)), metrics });

  const services = {
    wecom,
    tracking: tracking.service,
    customerPath: customerPath.service,
    entryVisibility: entryVisibility.service,
    directory: directory.service,
    bindings: bindings.service,
    alerts: alerts.service,
    capacity: capacity.service,
    stats: stats.service,
    operationLog: operationLog.service,
    memberDirectory: memberDirectory.service,
    wecomCallbacks: wecomCallbacks.service,
    handover: handover.service,
    memberBehavior: memberBehavior.service,
    operations: operations.service,
    acquisition: acquisition.service,
  };

  return {
    manifest,
    config,
    router,
    /** Every route with the permission that guards it (`public` for customers, WeCom and assets). */
    routes: routes.map(({ method, path, access }) => ({ method, path, access })),
    middleware,
    /** The features' declared services: what a host (or its other modules) may call. */
    services,
    jobs,
    /** The prom-client metrics the features count into (`metrics.registry`: the host's or the plugin's own). */
    metrics,
    migrate: () => migrateLatest(db),
    /**
     * Starts the features' background work, failing loudly (StartupError) when one cannot work
     * through the configured connection, e.g. LISTEN behind a transaction pooler without
     * `database.directUrl`. Then starts the jobs unless `jobs: false`.
     */
    async start(options: { jobs?: boolean } = {}) {
      for (const feature of features) await feature.start?.();
      if (options.jobs !== false) jobs.start();
    },
    async close() {
      await jobs.stop();
      // Stop taking callbacks' follow-up work first, then the features they feed.
      for (const feature of [...features].reverse()) await feature.close?.();
    },
  };
}

/** The credentials in the config, redacted wherever they would appear in a log line. */
function configuredSecrets(config: PluginConfig): string[] {
  const { wecom, alerts } = config;
  return [wecom.corpSecret, wecom.callbackToken, wecom.callbackEncodingAesKey, ...alerts.robots.flatMap((r) => [r.key, r.secret ?? ''])];
}

/** The features' jobs with their schedules: manifest defaults, the host's `jobs.<id>` config on top. */
function scheduledJobs(manifest: PluginManifest, config: PluginConfig, declared: JobDeclaration[]): ScheduledJob[] {
  return declared.map((job) => {
    const entry = manifest.jobs.find((j) => j.id === job.id);
    if (!entry) throw new Error(`job ${job.id} is not declared in manifest.json`);
    const settings = config.jobs[job.id] ?? {};
    return {
      id: job.id,
      run: job.run,
      cron: settings.cron ?? entry.cron,
      enabled: settings.enabled ?? entry.defaultEnabled,
      timeoutMs: settings.timeoutMs ?? entry.timeoutMs,
      leaseMs: settings.leaseMs,
    };
  });
}

export type WecomStoreService = ReturnType<typeof createWecomStoreService>;
