/**
 * Bindings: branch admins bind each store to its WeCom service account(s) — bind, backup, rebind,
 * replace a full account, unbind; one by one or by import (dry run, then all or nothing); export.
 * Each store's live code follows the account that takes its new customers. A change hides the
 * store's entry until HQ reviews it (entry visibility feature).
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';
import { createStoreAccountLookup } from './store-account.js';
import type { Feature } from '../core/feature.js';
import type { EntryVisibilityService } from '../entry-visibility/index.js';
import type { ContactEventLedger } from '../wecom-callbacks/index.js';
import { createBindingWriter } from './binding-writer.js';
import { createBindingsService, type AccountsCountedListener, type BindingsService, type RoutingChangedListener } from './bindings.service.js';
import type { CapacityLevels } from './capacity-check.js';
import { createCustomerCounter } from './customer-counter.js';
import { createBindingsStore } from './bindings.store.js';
import { bindingsRoutes } from './bindings.routes.js';
import { createExportService } from './export.service.js';
import { createImportsService } from './imports.service.js';
import { createImportsStore } from './imports.store.js';
import { importsRoutes } from './imports.routes.js';
import { createLiveCodes } from './live-codes.js';
import { createMemberLookup } from './member-lookup.js';
import type { BindingsWecomApi } from './wecom-api.js';

export type { AccountStatusReport, AccountsCountedListener, BindingsService, RoutingChangedListener } from './bindings.service.js';
export type { CapacityLevels } from './capacity-check.js';
export type { BindingsWecomApi } from './wecom-api.js';

export function createBindingsFeature(deps: {
  db: Knex;
  wecom: BindingsWecomApi;
  /** Parallel WeCom calls of one import or live-code batch (within the client's own cap). */
  concurrency: number;
  logger: Logger;
  entries: Pick<EntryVisibilityService, 'hideAutomatically' | 'entryOf' | 'submitForReview'>;
  routingChanged: RoutingChangedListener[];
  /** Told which accounts a bind counted (the capacity feature checks their thresholds). */
  accountsCounted: AccountsCountedListener[];
  /** Fill levels a bind is judged by (percent): the lowest warning threshold and the hard level. */
  capacityLevels: CapacityLevels;
  /** Nets a bind's count out against the account's pending callbacks. */
  contactEvents: ContactEventLedger;
  /** The configured time zone: export times and file names. */
  timezone: string;
  metrics?: PluginMetrics;
  /** How long another process's binding change may take to reach `storeAccount` here. */
  storeAccountTtlMs?: number;
}): Feature<BindingsService> {
  const { db, logger, entries } = deps;
  const concurrency = Math.min(8, deps.concurrency);
  const store = createBindingsStore();
  const members = createMemberLookup({ api: deps.wecom, concurrency });
  const liveCodes = createLiveCodes({ api: deps.wecom, logger, concurrency });
  const storeAccounts = createStoreAccountLookup({ db, ttlMs: deps.storeAccountTtlMs ?? 5000, maxEntries: 50_000, metrics: deps.metrics ?? detachedMetrics() });
  const writer = createBindingWriter({ db, store, entries, liveCodes, committed: () => storeAccounts.invalidate() });
  const counter = createCustomerCounter({ api: deps.wecom, levels: deps.capacityLevels });
  const service = createBindingsService({
    db, store, writer, entries, members, liveCodes, counter, contactEvents: deps.contactEvents, routingChanged: deps.routingChanged, accountsCounted: deps.accountsCounted, logger, storeAccounts,
  });
  const imports = createImportsService({ db, store: createImportsStore(db), bindingsStore: store, writer, members, logger });
  const exports = createExportService({ db, store, timezone: deps.timezone });
  return {
    service,
    routes: [...bindingsRoutes(service), ...importsRoutes(imports, exports, deps.timezone)],
    jobs: [{ id: 'account-status-check', run: (signal) => service.refreshAccountStatuses(signal) }],
    close: () => imports.settled(),
  };
}
