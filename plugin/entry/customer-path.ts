import type { Knex } from 'knex';
import type { PluginConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createTrackingService } from '../tracking/tracking.service.js';
import { createTrackingStore } from '../tracking/tracking.store.js';
import { createEntryService } from './entry.service.js';
import { createEntryStore } from './entry.store.js';
import { createGuideService, type ContactWayApi } from './guide.service.js';
import { createGuideStore } from './guide.store.js';
import { createMiniProgramLinks } from './mini-program.js';

/** Where customers reach the plugin routes: publicBaseUrl (absolute, includes the prefix) or the prefix. */
export function publicBaseOf(config: PluginConfig): string {
  return (config.publicBaseUrl ?? config.routesPrefix).replace(/\/+$/, '');
}

/**
 * The customer-path services (entry, guide, tracking). `contactWays` is the plugin's shared WeCom
 * client (the pool stays empty without it).
 */
export function createCustomerPathServices(deps: { db: Knex; config: PluginConfig; logger: Logger; contactWays?: () => ContactWayApi | undefined }) {
  const { db, config, logger } = deps;
  const settings = config.customerPath;
  const tracking = createTrackingService({ store: createTrackingStore(db, config.timezone), config: settings.ingest, logger });
  const entry = createEntryService({ db, store: createEntryStore(db), config: settings, publicBase: publicBaseOf(config), logger });
  const guide = createGuideService({
    db,
    store: createGuideStore(db),
    tracking,
    links: createMiniProgramLinks({ db, config: settings.miniProgram, logger }),
    config: settings,
    logger,
    contactWays: deps.contactWays,
  });
  return { entry, guide, tracking };
}
