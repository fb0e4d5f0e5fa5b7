/**
 * Tracking: customer-path events (order-result view, entry click, guide view, add click, jump result)
 * accepted from customers' pages and stored append-only in wss_tracking_events, each batch answered
 * only after its commit; confirmed adds are recorded by the server. Hosts may add sinks.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { PluginMetrics } from '../core/metrics.js';
import type { Feature } from '../core/feature.js';
import type { IngestConfig } from './tracking.config.js';
import { trackingRoutes } from './tracking.routes.js';
import { createTrackingService, type TrackingService } from './tracking.service.js';
import { createTrackingStore } from './tracking.store.js';

export type { TrackingService } from './tracking.service.js';
export { CONFIRMED_ADD, type TrackedEvent, type TrackingSink } from './tracking.schema.js';
export { ingestConfigSchema, type IngestConfig } from './tracking.config.js';

export function createTrackingFeature(deps: { db: Knex; timezone: string; config: IngestConfig; logger: Logger; metrics?: PluginMetrics }): Feature<TrackingService> {
  const service = createTrackingService({ store: createTrackingStore(deps.db, deps.timezone), config: deps.config, logger: deps.logger, metrics: deps.metrics });
  return { service, routes: trackingRoutes(service), jobs: [], close: () => service.close() };
}
