/**
 * Alerts: warnings for HQ and the branches through their group robots (WeCom, DingTalk, Feishu).
 * Messages are queued in wss_alert_outbox inside the transaction of the event that causes them and
 * delivered by job `alert-delivery` (claims, per-robot rate ledger across processes, backoff).
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { PluginMetrics } from '../core/metrics.js';
import type { Feature } from '../core/feature.js';
import type { AlertsConfig } from './alerts.config.js';
import { alertsRoutes } from './alerts.routes.js';
import { createAlertsService, type AlertsService, type RobotSenderLike } from './alerts.service.js';
import { createAlertsStore } from './alerts.store.js';
import { createRobotSender } from './robots.js';

export type { AlertMessage, AlertsService, DeliveryReport, RobotSenderLike } from './alerts.service.js';
export { alertsConfigSchema, type AlertsConfig, type RobotConfig } from './alerts.config.js';
export { renderTemplate } from './template.js';

export function createAlertsFeature(deps: {
  db: Knex;
  config: AlertsConfig;
  timezone: string;
  logger: Logger;
  /** Test seams: another sender, a fixed worker name. */
  sender?: RobotSenderLike;
  workerId?: string;
  metrics?: PluginMetrics;
}): Feature<AlertsService> {
  const { db, config, logger } = deps;
  const sender = deps.sender ?? createRobotSender({ baseUrls: config.robotBaseUrls, timeoutMs: config.sendTimeoutMs, logger });
  const service = createAlertsService({ db, store: createAlertsStore(db), config, sender, logger, timezone: deps.timezone, workerId: deps.workerId, metrics: deps.metrics });
  return {
    service,
    routes: alertsRoutes(service),
    jobs: [{ id: 'alert-delivery', run: (signal) => service.deliverDue(signal) }],
  };
}
