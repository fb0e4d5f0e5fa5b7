/**
 * Capacity: each account's customer count (live from callbacks, reconciled with WeCom by job
 * `capacity-sync`), limits HQ edits, threshold warnings with hysteresis (queued as alerts), forecasts,
 * and the failover of a full primary's new customers to a backup through the binding workflow.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { Feature } from '../core/feature.js';
import type { AlertsService } from '../alerts/index.js';
import type { ContactEventLedger } from '../wecom-callbacks/index.js';
import type { CapacityConfig } from './capacity.config.js';
import { capacityRoutes } from './capacity.routes.js';
import { createCapacityService, type CapacityRouting, type CapacityService, type CustomerLister } from './capacity.service.js';
import { createCapacityStore } from './capacity.store.js';

export type { CapacityRouting, CapacityService, CapacitySyncReport, CustomerLister } from './capacity.service.js';
export { capacityConfigSchema, type CapacityConfig } from './capacity.config.js';

export function createCapacityFeature(deps: {
  db: Knex;
  config: CapacityConfig;
  logger: Logger;
  alerts: Pick<AlertsService, 'enqueue' | 'routingView'>;
  /** Stored callback events, netted out of WeCom's figure by the reconcile. */
  contactEvents: ContactEventLedger;
  wecom?: CustomerLister;
  routing?: CapacityRouting;
  /** Parallel list calls of the sync (the WeCom client's own cap still applies). */
  syncConcurrency: number;
}): Feature<CapacityService> {
  const service = createCapacityService({
    db: deps.db,
    store: createCapacityStore(deps.db),
    alerts: deps.alerts,
    contactEvents: deps.contactEvents,
    config: deps.config,
    logger: deps.logger,
    wecom: deps.wecom,
    routing: deps.routing,
    syncConcurrency: deps.syncConcurrency,
  });
  return {
    service,
    routes: capacityRoutes(service, deps.alerts),
    jobs: [{ id: 'capacity-sync', run: (signal) => service.sync(signal) }],
  };
}
