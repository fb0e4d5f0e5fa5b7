/**
 * Entry visibility: whether a store's "add store service" entry is shown to customers. HQ shows and
 * hides by hand (`entries:toggle`); the system hides by itself, with a reason, when a store can no
 * longer serve customers or its binding awaits review. Customers' reads go through the customer
 * path's cached entry (NOTIFY triggers on wss_store_entries / wss_stores).
 */
import type { Knex } from 'knex';
import type { Feature } from '../core/feature.js';
import { createEntryVisibilityService, type EntryShownListener, type EntryVisibilityService } from './visibility.service.js';
import { createEntriesStore } from './visibility.store.js';
import { visibilityRoutes } from './visibility.routes.js';

export type { AutoHideReason, EntryShownListener, EntryVisibilityService } from './visibility.service.js';

export function createEntryVisibilityFeature(deps: { db: Knex; shown: EntryShownListener[] }): Feature<EntryVisibilityService> {
  const service = createEntryVisibilityService({ db: deps.db, store: createEntriesStore(), shown: deps.shown });
  return { service, routes: visibilityRoutes(service), jobs: [] };
}
