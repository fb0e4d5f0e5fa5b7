/**
 * WeCom callbacks: the signed, encrypted endpoint WeCom posts contact events to. Each event is stored
 * (deduplicated) before the 200, then applied in CreateTime order per account × customer to
 * wss_wecom_contacts and the account's live count (ContactCountListener inside that transaction),
 * then handed to the features that react (ContactChangeListener). Job `wecom-callback-replay`
 * applies what a stopped process left stored but unapplied, and re-runs unfinished follow-ups.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { PluginMetrics } from '../core/metrics.js';
import type { Feature } from '../core/feature.js';
import type { WecomClient, WecomConfig } from '../wecom/index.js';
import { wecomCallbackRoutes } from './callback.routes.js';
import { createWecomCallbackService, type ContactChangeListener, type ContactCountListener, type WecomCallbacksService } from './callback.service.js';

export type { ContactChange, ContactChangeListener, ContactCountListener, ContactReconcileReport, WecomCallbacksService } from './callback.service.js';
export { WECOM_CALLBACK_PATH } from './callback.routes.js';
export { SETTLE_MARGIN_MS, createContactEventLedger, type ContactEventLedger, type ListedAccount } from './contact-event-ledger.js';
export { createContactTakeovers, type ContactTakeovers } from './contact-takeover.js';
export { createContactAddCounter, type ContactAddCounter } from './contact-adds.js';

export function createWecomCallbacksFeature(deps: {
  db: Knex;
  config: Pick<WecomConfig, 'corpId' | 'callbackToken' | 'callbackEncodingAesKey'>;
  logger: Logger;
  listeners: ContactChangeListener[];
  /** Called inside the apply transaction when a live count changed (capacity thresholds). */
  countListeners?: ContactCountListener[];
  /** WeCom's relations for the contact reconcile (job `contact-reconcile`). */
  wecom?: Pick<WecomClient, 'iterateByUser'>;
  metrics?: PluginMetrics;
}): Feature<WecomCallbacksService> {
  const service = createWecomCallbackService({
    db: deps.db,
    secrets: { token: deps.config.callbackToken, encodingAesKey: deps.config.callbackEncodingAesKey, corpId: deps.config.corpId },
    logger: deps.logger,
    listeners: deps.listeners,
    countListeners: deps.countListeners,
    wecom: deps.wecom,
    metrics: deps.metrics,
  });
  return {
    service,
    routes: wecomCallbackRoutes(service, deps.logger),
    jobs: [
      { id: 'wecom-callback-replay', run: (signal) => service.processPending(500, signal) },
      { id: 'contact-reconcile', run: (signal) => service.reconcileContacts({}, signal) },
    ],
    close: () => service.idle(),
  };
}
