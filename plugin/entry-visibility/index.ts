/**
 * Entry visibility: whether a store's "add store service" entry is shown to customers, and HQ's
 * review of binding changes that decides it. HQ shows and hides by hand (`entries:toggle`) and
 * approves or returns reviewed bindings (`reviews:decide`); the system hides by itself, with a
 * reason, when a store can no longer serve customers or its binding awaits review. Robots hear of
 * submissions (HQ digest) and decisions (the branch); a scheduled digest reports each branch's
 * rollout. Customers' reads go through the customer path's cached entry (NOTIFY triggers).
 */
import type { Knex } from 'knex';
import type { Feature } from '../core/feature.js';
import type { AlertsService } from '../alerts/index.js';
import { createEntryVisibilityService, type EntryShownListener, type VisibilityApi } from './visibility.service.js';
import { createEntriesStore } from './visibility.store.js';
import { visibilityRoutes } from './visibility.routes.js';
import { createReviewsStore } from './reviews.store.js';
import { createReviewsService, type ReviewsApi } from './reviews.service.js';
import { reviewsRoutes } from './reviews.routes.js';
import { createReviewDigests, type ReviewDigests } from './review-digests.js';
import type { ReviewsConfig } from './reviews.config.js';

export type { AutoHideReason, EntryShownListener, VisibilityInput } from './visibility.service.js';
export { AUTO_HIDE_TEXT } from './visibility.service.js';
export type { BindingSubmission } from './reviews.service.js';
export type { ReviewDigestReport, RolloutDigestReport } from './review-digests.js';
export { reviewsConfigSchema, type ReviewsConfig } from './reviews.config.js';

export interface EntryVisibilityService extends VisibilityApi, ReviewsApi, ReviewDigests {}

export function createEntryVisibilityFeature(deps: {
  db: Knex;
  shown: EntryShownListener[];
  alerts: Pick<AlertsService, 'enqueue'>;
  config: ReviewsConfig;
  timezone: string;
  /** Capacity levels the review diff marks accounts by (percent). */
  fillLevels: { warning: number; hard: number };
}): Feature<EntryVisibilityService> {
  const { db } = deps;
  const entries = createEntriesStore();
  const reviewsStore = createReviewsStore();
  const visibility = createEntryVisibilityService({ db, store: entries, reviews: reviewsStore, shown: deps.shown });
  const reviews = createReviewsService({ db, store: reviewsStore, entries, visibility, alerts: deps.alerts, config: deps.config, fillLevels: deps.fillLevels });
  const digests = createReviewDigests({ db, store: reviewsStore, alerts: deps.alerts, config: deps.config, timezone: deps.timezone });
  const service: EntryVisibilityService = {
    setVisibility: visibility.setVisibility,
    hideAutomatically: visibility.hideAutomatically,
    entryOf: visibility.entryOf,
    storesClosed: visibility.storesClosed,
    ...reviews,
    ...digests,
  };
  return {
    service,
    routes: [...visibilityRoutes(service), ...reviewsRoutes(service)],
    jobs: [
      { id: 'review-digest', run: (signal) => digests.sendReviewDigest(signal) },
      { id: 'rollout-digest', run: (signal) => digests.sendRolloutDigest(signal) },
    ],
  };
}
