/**
 * Operations: what an operator watches — a health route (database, the entry cache's NOTIFY
 * listener, the last run of each job across processes) and the Prometheus metrics every feature
 * counts into (plugin/core/metrics.ts), on the host's registry or the plugin's own.
 */
import type { Knex } from 'knex';
import type { Feature } from '../core/feature.js';
import type { PluginMetrics } from '../core/metrics.js';
import { operationsRoutes } from './operations.routes.js';
import { createOperationsService, type JobRunView, type OperationsService } from './operations.service.js';

export type { JobRunView, OperationsService } from './operations.service.js';

export function createOperationsFeature(deps: {
  db: Knex;
  metrics: PluginMetrics;
  entryListener: () => { live: boolean };
  jobs: () => { lastRuns(): Promise<JobRunView[]>; enabledJobs(): string[] };
  /** Serve GET /ops/metrics (off when the host exposes its own registry itself). */
  metricsRoute: boolean;
}): Feature<OperationsService> {
  const service = createOperationsService(deps);
  return { service, routes: operationsRoutes(service, { metricsRoute: deps.metricsRoute }), jobs: [] };
}
