import type { Knex } from 'knex';
import type { PluginConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createRobotSender } from '../wecom/robots.js';
import { createAlertsService, type RobotSenderLike } from '../alerts/alerts.service.js';
import { createAlertsStore } from '../alerts/alerts.store.js';
import { createCapacityService, type CapacityRouting, type CustomerLister } from './capacity.service.js';
import { createCapacityStore } from './capacity.store.js';

/**
 * Builds the capacity and alerts services from the plugin config. `wecom` (the WeCom client) and
 * `routing` (the binding workflow) come from their features; without them the sync and the
 * failover report that they are not wired instead of guessing.
 */
export function createCapacityFeature(deps: {
  db: Knex;
  config: PluginConfig;
  logger: Logger;
  wecom?: CustomerLister;
  routing?: CapacityRouting;
  sender?: RobotSenderLike;
  workerId?: string;
}) {
  const { db, config, logger } = deps;
  const sender =
    deps.sender ??
    createRobotSender({ baseUrls: config.alerts.robotBaseUrls, timeoutMs: config.alerts.sendTimeoutMs, logger });
  const alerts = createAlertsService({ db, store: createAlertsStore(db), config: config.alerts, sender, logger, workerId: deps.workerId });
  const capacity = createCapacityService({
    db,
    store: createCapacityStore(db),
    alerts,
    config: config.capacity,
    logger,
    wecom: deps.wecom,
    routing: deps.routing,
    syncConcurrency: config.wecom.concurrency,
  });
  return { capacity, alerts };
}
