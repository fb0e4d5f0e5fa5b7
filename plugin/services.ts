import type { Knex } from 'knex';
import type { PluginConfig } from './config.js';
import type { HostAdapter } from './host/adapter.js';
import type { Logger } from './logger.js';
import { createDirectoryStore } from './directory/directory.store.js';
import { createDirectoryService } from './directory/directory.service.js';
import { createCustomerPathServices } from './entry/customer-path.js';
import { createMetricsService } from './metrics/metrics.service.js';
import { createMetricsStore } from './metrics/metrics.store.js';
import { createMetricsRollupStore } from './metrics/metrics.rollup.store.js';
import { createCapacityFeature } from './capacity/wiring.js';
import { createWecomClient } from './wecom/client.js';
import { createDbTokenStore } from './wecom/token-store.js';
import { createWecomCallbackService } from './wecom/callback.service.js';
import { createContactEvents } from './wecom/contact-events.js';
import { createBindingServices } from './bindings/bindings.module.js';

/** Every feature service, built once from the plugin's dependencies. Routes and jobs take these. */
export function createServices(deps: { db: Knex; host: HostAdapter; config: PluginConfig; logger: Logger }) {
  const { db, host, logger, config } = deps;
  // One WeCom client per plugin instance: its token cache, per-API budget and concurrency cap are
  // shared by every feature (and the token across processes through the database).
  const wecom = createWecomClient({
    baseUrl: config.wecom.apiBaseUrl,
    corpId: config.wecom.corpId,
    corpSecret: config.wecom.corpSecret,
    tokenStore: createDbTokenStore(db),
    logger,
    limits: { perApiPerMinute: config.wecom.perApiPerMinute, concurrency: config.wecom.concurrency },
  });
  // Applied callback events fan out to the features that react to them (contactEvents.on(...)).
  const contactEvents = createContactEvents(logger);
  const wecomCallbacks = createWecomCallbackService({
    db,
    secrets: { token: config.wecom.callbackToken, encodingAesKey: config.wecom.callbackEncodingAesKey, corpId: config.wecom.corpId },
    logger,
    onEventApplied: (event) => contactEvents.emit(event),
  });
  const directory = createDirectoryService({
    db,
    store: createDirectoryStore(db),
    directory: host.directory,
    logger,
    // A store the host closed (or no longer lists) stops showing its entry.
    onStoresClosed: async (trx, storeIds) => {
      await entries.hideEntriesAutomatically(trx, storeIds, 'store_closed');
    },
  });
  const metrics = createMetricsService({
    db,
    store: createMetricsStore(db),
    rollupStore: createMetricsRollupStore(),
    timezone: deps.config.timezone,
    logger,
  });
  const { entry, guide, tracking } = createCustomerPathServices({ db, config: deps.config, logger, contactWays: () => wecom });
  // Confirmed adds are attributed to their guide visit through the contact-way state.
  contactEvents.on((event) => guide.onContactEvent(event).then(() => undefined));
  const { bindings, entries, imports, exports: bindingExports } = createBindingServices({ db, config: deps.config, logger, wecom });
  // A store HQ just showed gets its guide contact-way pool now, not on the next guide-pool-refill run.
  entries.onEntryShown((storeIds) => guide.refillPoolSoon(storeIds));
  // Capacity fails over through the binding workflow's live-code routing; the guide pool follows at once.
  const routing = {
    async routeNewCustomersTo(storeId: string, userid: string | null, reason: string) {
      const routed = await bindings.routeNewCustomersTo(storeId, userid, reason);
      if (userid) guide.refillPoolSoon([storeId]);
      return routed;
    },
  };
  const { capacity, alerts } = createCapacityFeature({ db, config: deps.config, logger, wecom, routing });
  // Every change of an account's live count re-checks its thresholds and its stores' routing.
  contactEvents.on(async (event) => {
    if (event.customerCount !== undefined && event.userId) await capacity.countsChanged([event.userId]);
  });
  return { directory, metrics, entry, guide, tracking, capacity, alerts, wecom, wecomCallbacks, contactEvents, bindings, entries, imports, bindingExports };
}

export type PluginServices = ReturnType<typeof createServices>;
