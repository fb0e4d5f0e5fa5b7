/**
 * Handover (继承): when a bound account's member leaves (status 5 from the account check) or HQ
 * replaces an account, the plugin proposes handing its customers to the store's serving account
 * (then its backups); HQ approves or dismisses; approved ones are transferred in batches of 100
 * within each taker's room below the hard level, the results polled, counts and history updated.
 */
import type { Knex } from 'knex';
import type { Feature } from '../core/feature.js';
import type { Logger } from '../core/logger.js';
import { createContactTakeovers } from '../wecom-callbacks/index.js';
import { handoverRoutes } from './handover.routes.js';
import { createHandoverService, type HandoverCountListener, type HandoverService, type HandoverWecomApi } from './handover.service.js';
import { createHandoverStore } from './handover.store.js';

export type { HandoverCountListener, HandoverRunReport, HandoverService, HandoverWecomApi } from './handover.service.js';

export function createHandoverFeature(deps: {
  db: Knex;
  wecom: HandoverWecomApi;
  /** The capacity feature: thresholds inside the transaction that moved the counts, routing after. */
  counts: HandoverCountListener[];
  /** capacity.hardLevel: a taker is never given customers past it. */
  hardLevel: number;
  logger: Logger;
}): Feature<HandoverService> {
  const service = createHandoverService({
    db: deps.db, store: createHandoverStore(deps.db), wecom: deps.wecom, takeovers: createContactTakeovers(deps.db), counts: deps.counts, hardLevel: deps.hardLevel, logger: deps.logger,
  });
  return { service, routes: handoverRoutes(service), jobs: [{ id: 'handover-transfer', run: (signal) => service.run(signal) }] };
}
