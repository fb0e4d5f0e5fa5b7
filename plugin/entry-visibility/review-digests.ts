import type { Knex } from 'knex';
import type { AlertsService } from '../alerts/index.js';
import { LOCKS, xactLock } from '../core/locks.js';
import { todayIn } from '../core/days.js';
import type { ReviewsConfig } from './reviews.config.js';
import type { ReviewsStore } from './reviews.store.js';
import { branchRollouts } from './rollout.store.js';
import { hqDigestText, rolloutText } from './review-notices.js';

export interface ReviewDigestReport {
  sent: boolean;
  /** Why nothing was sent: disabled, waiting for the interval, or nothing new. */
  skipped?: 'disabled' | 'too_soon' | 'nothing_new';
  submissions: number;
  messagesQueued: number;
}

export interface RolloutDigestReport {
  sent: boolean;
  branches: number;
  messagesQueued: number;
}

export interface ReviewDigests {
  /** Job `review-digest`: at most one HQ digest per interval, counting what was submitted since the last one. */
  sendReviewDigest(signal?: AbortSignal): Promise<ReviewDigestReport>;
  /** Job `rollout-digest` (when enabled): each branch's rollout figures to its robots, once per day. */
  sendRolloutDigest(signal?: AbortSignal): Promise<RolloutDigestReport>;
}

/**
 * The review workflow's scheduled robot messages. Both queue through the alerts outbox in the
 * transaction that records them, with idempotency keys (`review-digest:<digest id>`,
 * `rollout:<branch>:<day>`), so a retried or doubled run never sends twice.
 */
export function createReviewDigests(deps: { db: Knex; store: ReviewsStore; alerts: Pick<AlertsService, 'enqueue'>; config: ReviewsConfig; timezone: string }): ReviewDigests {
  const { db, store, alerts, config } = deps;
  return {
    async sendReviewDigest() {
      if (!config.hqDigest.enabled) return { sent: false, skipped: 'disabled', submissions: 0, messagesQueued: 0 };
      return db.transaction(async (trx) => {
        await xactLock(trx, LOCKS.reviewDigest());
        const since = await store.secondsSinceLastDigest(trx);
        if (since !== null && since < config.hqDigest.intervalMinutes * 60) return { sent: false, skipped: 'too_soon', submissions: 0, messagesQueued: 0 };
        const fresh = await store.unnotified(trx);
        if (!fresh.length) return { sent: false, skipped: 'nothing_new', submissions: 0, messagesQueued: 0 };
        const pending = await store.pendingByBranch(trx);
        const branches = new Map<string, { branchId: string; branchName: string; submitted: number; pending: number }>();
        for (const r of fresh) {
          const b = branches.get(r.branchId) ?? { branchId: r.branchId, branchName: r.branchName, submitted: 0, pending: pending.get(r.branchId) ?? 0 };
          b.submitted += 1;
          branches.set(r.branchId, b);
        }
        const byBranch = [...branches.values()].sort((a, b) => b.submitted - a.submitted || a.branchId.localeCompare(b.branchId));
        const digestId = await store.insertDigest(trx, fresh.length, byBranch);
        const totalPending = [...pending.values()].reduce((a, b) => a + b, 0);
        const messagesQueued = await alerts.enqueue(trx, [
          {
            key: `review-digest:${digestId}`,
            kind: 'review_digest',
            text: hqDigestText({ submitted: fresh.length, pending: totalPending, branches: byBranch, link: config.reviewPageUrl }),
            branchIds: [],
            hqOnly: true,
            details: { submissions: fresh.length, byBranch },
          },
        ]);
        await store.markNotified(trx, fresh.map((r) => r.id));
        return { sent: true, submissions: fresh.length, messagesQueued };
      });
    },

    async sendRolloutDigest(signal) {
      if (!config.rolloutDigest.enabled) return { sent: false, branches: 0, messagesQueued: 0 };
      const day = todayIn(deps.timezone);
      const rollouts = await branchRollouts(db);
      let messagesQueued = 0;
      for (const r of rollouts) {
        if (signal?.aborted) throw new Error('rollout digest aborted');
        messagesQueued += await alerts.enqueue(db, [
          {
            key: `rollout:${r.branchId}:${day}`,
            kind: 'rollout_digest',
            text: rolloutText({ ...r, day }),
            branchIds: [r.branchId],
            branchOnly: true,
            details: { day, openStores: r.openStores, boundStores: r.boundStores, pendingReviews: r.pendingReviews },
          },
        ]);
      }
      return { sent: true, branches: rollouts.length, messagesQueued };
    },
  };
}
