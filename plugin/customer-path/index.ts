/**
 * Customer path: the order-result entry (public, cached per process, invalidated by NOTIFY), the
 * guide page and its visits (a per-visit contact way leased from a small per-store pool, or the
 * store live code), the mini-program link, and the attribution of confirmed adds through `state`.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { PluginMetrics } from '../core/metrics.js';
import type { Feature } from '../core/feature.js';
import type { TrackingService } from '../tracking/index.js';
import type { ContactChange } from '../wecom-callbacks/index.js';
import type { CustomerPathConfig } from './customer-path.config.js';
import { customerPathRoutes } from './customer-path.routes.js';
import { createEntryService, type EntryService } from './entry.service.js';
import { createEntryStore } from './entry.store.js';
import { createGuideService, type Attribution, type ContactWayApi, type GuideLinkSource, type GuideService } from './guide.service.js';
import { createGuideStore } from './guide.store.js';
import { createMiniProgramLinks } from './mini-program.js';

export { createEntryFastPath } from './customer-path.routes.js';
export { customerPathConfigSchema, type CustomerPathConfig } from './customer-path.config.js';
export type { CachedEntry, EntryCacheStats } from './entry.service.js';
export type { Attribution, ContactAddedEvent, GuideLinkSource, PoolRefillReport } from './guide.service.js';

export interface CustomerPathService extends Pick<GuideService, 'startVisit' | 'getVisit' | 'attributeAdd' | 'refillPool' | 'poolIdle'> {
  /** The public entry and its cache. */
  readonly entry: EntryService;
  /** Port of the entry visibility feature: HQ just showed these stores; their pools fill now. */
  entryShown(storeIds: string[]): void;
  /** Port of the bindings feature: the failover moved these stores' new customers; pools follow. */
  routingChanged(storeIds: string[]): void;
  /** Port of the WeCom callbacks feature: a committed add is attributed to its guide visit. */
  contactChanged(event: ContactChange): Promise<Attribution | null>;
}

export function createCustomerPathFeature(deps: {
  db: Knex;
  config: CustomerPathConfig;
  /** Where customers reach the plugin routes (publicBaseUrl, or the routes prefix). */
  publicBase: string;
  elementsUrl: string;
  logger: Logger;
  tracking: Pick<TrackingService, 'record'>;
  contactWays?: ContactWayApi;
  /** A direct PostgreSQL connection for LISTEN (the knex pool may go through a transaction pooler). */
  listenConnection?: string;
  metrics?: PluginMetrics;
  /** Acquisition links for stores in link mode (filled once that feature exists). */
  guideLinks?: readonly GuideLinkSource[];
}): Feature<CustomerPathService> {
  const { db, config, logger } = deps;
  const entry = createEntryService({ db, store: createEntryStore(db), config, publicBase: deps.publicBase, logger, listenConnection: deps.listenConnection, metrics: deps.metrics });
  const guide = createGuideService({
    db,
    store: createGuideStore(db),
    tracking: deps.tracking,
    links: createMiniProgramLinks({ db, config: config.miniProgram, logger }),
    config,
    logger,
    contactWays: deps.contactWays,
    guideLinks: deps.guideLinks,
  });
  const service: CustomerPathService = {
    entry,
    startVisit: guide.startVisit,
    getVisit: guide.getVisit,
    attributeAdd: guide.attributeAdd,
    refillPool: guide.refillPool,
    poolIdle: guide.poolIdle,
    entryShown: (storeIds) => guide.refillPoolSoon(storeIds),
    routingChanged: (storeIds) => guide.refillPoolSoon(storeIds),
    async contactChanged(event) {
      if (event.changeType !== 'add_external_contact' || !event.userId || !event.externalUserId) return null;
      return guide.attributeAdd({
        state: event.state,
        externalUserid: event.externalUserId,
        accountUserid: event.userId,
        addedAt: new Date(event.createTime * 1000),
      });
    },
  };
  return {
    service,
    routes: customerPathRoutes({
      entry,
      guide,
      apiBase: deps.publicBase,
      elementsUrl: deps.elementsUrl,
      guideVisitsPerIpPerMinute: config.ingest.guideVisitsPerIpPerMinute,
    }),
    jobs: [{ id: 'guide-pool-refill', run: (signal) => guide.refillPool(signal) }],
    start: () => entry.start(),
    async close() {
      await entry.close();
      await guide.poolIdle();
    },
  };
}
