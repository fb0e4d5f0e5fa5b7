/**
 * Stats (业务数据统计): binding rate by branch and the customer-path funnel (entry click rate,
 * add-click rate, real add rate through `state`), period-distinct from rollups that job
 * `metrics-rollup` keeps; the dashboard's API and the Excel/CSV exports. Definitions: docs/metrics.md.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { Feature } from '../core/feature.js';
import { createStatsService, type StatsService } from './stats.service.js';
import { createMetricsRollupStore } from './stats.rollup.store.js';
import { createMetricsStore } from './stats.store.js';
import { statsRoutes } from './stats.routes.js';

export type { ResolvedStatsFilter, StatsFilter, StatsService } from './stats.service.js';

export function createStatsFeature(deps: { db: Knex; timezone: string; logger: Logger; lateEventHours?: number }): Feature<StatsService> {
  const service = createStatsService({
    db: deps.db,
    store: createMetricsStore(deps.db),
    rollupStore: createMetricsRollupStore(),
    timezone: deps.timezone,
    logger: deps.logger,
    lateEventHours: deps.lateEventHours,
  });
  return {
    service,
    routes: statsRoutes(service, deps.logger),
    jobs: [{ id: 'metrics-rollup', run: (signal) => service.rollupRecent(signal) }],
  };
}
