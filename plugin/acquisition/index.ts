/**
 * Acquisition links (获客链接): a guide mode HQ sets per store. One link per serving account (kept
 * in step with routing through the `routingChanged` port), opened by the guide with the visit's
 * state as `customer_channel`, so the add is attributed exactly like a per-visit contact way. The
 * quota is synced by job `acquisition-sync`; low / exhausted / expiring warn HQ through the alerts
 * outbox and an exhausted quota sends every link-mode store back to the QR.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { Feature } from '../core/feature.js';
import type { AlertsService } from '../alerts/index.js';
import type { AcquisitionConfig } from './acquisition.config.js';
import { acquisitionRoutes } from './acquisition.routes.js';
import { createAcquisitionService, type AcquisitionApi, type AcquisitionService } from './acquisition.service.js';
import { createAcquisitionStore } from './acquisition.store.js';

export { acquisitionConfigSchema, type AcquisitionConfig } from './acquisition.config.js';
export type { AcquisitionService, LinkSyncReport } from './acquisition.service.js';

export function createAcquisitionFeature(deps: {
  db: Knex;
  config: AcquisitionConfig;
  alerts: Pick<AlertsService, 'enqueue'>;
  wecom?: AcquisitionApi;
  timezone: string;
  logger: Logger;
}): Feature<AcquisitionService> {
  const service = createAcquisitionService({ ...deps, store: createAcquisitionStore(deps.db) });
  return {
    service,
    routes: acquisitionRoutes(service),
    jobs: [{ id: 'acquisition-sync', run: (signal) => service.sync(signal) }],
    close: () => service.idle(),
  };
}
