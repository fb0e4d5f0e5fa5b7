import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type {
  BindingView, ReviewDecisionBody, ReviewDecisionRequest, ReviewDecisionResult, ReviewItem, ReviewListBody, ReviewSummaryBody,
} from '../contract/index.js';
import { InputError, conflict, forbidden, notFound } from '../core/errors.js';
import { SYSTEM_SCOPE, assertBranchInScope, inScope, scopeOf } from '../access/scope.js';
import { authorOf, writeAudit, type AuditEntry, type Author } from '../core/audit.js';
import type { AlertMessage, AlertsService } from '../alerts/index.js';
import type { EntriesStore } from './visibility.store.js';
import type { VisibilityInternals } from './visibility.service.js';
import { reviewDecisionAudit, type LockedReview, type ReviewListFilter, type ReviewsStore } from './reviews.store.js';
import type { ReviewsConfig } from './reviews.config.js';
import { decisionText, type DecidedStore } from './review-notices.js';

/** One store's binding change, as the binding workflow committed it (inside its transaction). */
export interface BindingSubmission {
  storeId: string;
  branchId: string;
  /** The binding before the first change of this transaction, and after the last. */
  before: BindingView;
  after: BindingView;
  actions: string[];
  /** A binding was added or the primary changed. */
  needsReview: boolean;
  /** No primary or backup is left: nothing to review (the entry hides as "no active account"). */
  leavesNoActiveAccount: boolean;
}

export interface ReviewsApi {
  /**
   * Port of the bindings feature, inside its transaction: opens (or updates) the store's review and
   * hides its entry until HQ decides. A change of a store HQ returned submits it again.
   */
  submitForReview(trx: Knex.Transaction, by: Author, submissions: BindingSubmission[]): Promise<void>;
  listReviews(actor: Actor, filter: ReviewListFilter): Promise<ReviewListBody>;
  reviewSummary(actor: Actor): Promise<ReviewSummaryBody>;
  /** HQ approves (shows, or keeps hidden) or returns reviews, one or many; each result says what happened. */
  decideReviews(actor: Actor, request: ReviewDecisionRequest): Promise<ReviewDecisionBody>;
  /** A branch submits a returned store again without changing its binding (e.g. after fixing the account in WeCom). */
  resubmitReview(actor: Actor, storeId: string): Promise<ReviewItem>;
}

const REJECTED_PREFIX = '审核未通过：';
const KEPT_HIDDEN_TEXT = '审核通过，暂不展示';

export function createReviewsService(deps: {
  db: Knex;
  store: ReviewsStore;
  entries: EntriesStore;
  visibility: VisibilityInternals;
  alerts: Pick<AlertsService, 'enqueue'>;
  config: ReviewsConfig;
  fillLevels: { warning: number; hard: number };
}): ReviewsApi {
  const { db, store, entries, visibility, alerts, config } = deps;

  async function withAccounts(items: Omit<ReviewItem, 'accounts'>[]): Promise<ReviewItem[]> {
    const userids = new Set<string>();
    for (const item of items) {
      for (const v of [item.baseline, item.submitted]) for (const u of [v.primary, ...v.backups, ...v.retired]) if (u) userids.add(u);
    }
    const accounts = await store.accounts(db, [...userids], deps.fillLevels);
    return items.map((item) => {
      const mine = new Set([item.baseline, item.submitted].flatMap((v) => [v.primary, ...v.backups, ...v.retired]).filter((u): u is string => Boolean(u)));
      return { ...item, accounts: [...mine].map((u) => accounts.get(u) ?? { userid: u, name: '', wecomStatus: null, count: 0, limit: 5000, percent: 0, level: 'ok' as const, countedAt: null }) };
    });
  }

  async function listReviews(actor: Actor, filter: ReviewListFilter): Promise<ReviewListBody> {
    const scope = scopeOf(actor);
    if (filter.branchId) assertBranchInScope(scope, filter.branchId);
    const { total, items } = await store.list(db, scope, filter);
    return { total, items: await withAccounts(items), page: filter.page, pageSize: filter.pageSize };
  }

  /** One robot message per branch about what HQ decided (one decide call). */
  function decisionMessages(decisionId: string, decided: (DecidedStore & { branchId: string; branchName: string })[]): AlertMessage[] {
    if (!config.branchDecisions.enabled) return [];
    const byBranch = new Map<string, typeof decided>();
    for (const d of decided) byBranch.set(d.branchId, [...(byBranch.get(d.branchId) ?? []), d]);
    return [...byBranch].map(([branchId, stores]) => ({
      key: `review-decision:${decisionId}:${branchId}`,
      kind: 'review_decision',
      text: decisionText(stores[0].branchName, stores),
      branchIds: [branchId],
      branchOnly: true,
      details: { stores: stores.map((s) => ({ storeId: s.storeId, outcome: s.outcome })) },
    }));
  }

  return {
    async submitForReview(trx, by, submissions) {
      if (!submissions.length) return;
      const ids = submissions.map((s) => s.storeId);
      const open = await store.openReviews(trx, ids);
      const states = await entries.states(trx, ids, SYSTEM_SCOPE);
      const baselines = await store.baselines(trx, ids.filter((id) => !open.has(id)));
      const withdraw: string[] = [];
      const toHide: string[] = [];
      for (const s of submissions) {
        const current = open.get(s.storeId);
        if (s.leavesNoActiveAccount) {
          if (current) withdraw.push(current.id);
          continue;
        }
        const returned = states.get(s.storeId)?.hiddenAutomatically === 'review_rejected';
        if (current) {
          // The branch keeps changing a store HQ has not looked at yet: HQ sees the latest snapshot.
          await store.resubmit(trx, by, current.id, s.after, [...current.actions, ...s.actions]);
          if (s.needsReview) toHide.push(s.storeId);
        } else if (s.needsReview || returned) {
          await store.insert(trx, by, [{ storeId: s.storeId, branchId: s.branchId, baseline: baselines.get(s.storeId) ?? s.before, submitted: s.after, actions: s.actions }]);
          toHide.push(s.storeId);
        }
      }
      await store.withdraw(trx, withdraw);
      await visibility.hideAutomatically(trx, toHide, 'pending_review');
    },

    listReviews,

    reviewSummary: (actor) => store.summary(db, scopeOf(actor)),

    async decideReviews(actor, request) {
      const reason = request.reason?.trim() || null;
      if (request.decision === 'reject' && !reason) throw new InputError('退回时请填写原因', { reason: '请填写退回原因' }, 'reason_required');
      const by = authorOf(actor);
      const decisionId = randomUUID();
      const show = request.decision === 'approve' && request.show !== false;
      const { results, shownStores } = await db.transaction(async (trx) => {
        const locked = await store.lockForDecision(trx, scopeOf(actor), [...new Set(request.items.map((i) => i.reviewId))]);
        const results: ReviewDecisionResult[] = [];
        const ready: LockedReview[] = [];
        for (const item of request.items) {
          const r = locked.get(item.reviewId);
          if (!r) results.push({ reviewId: item.reviewId, storeId: null, outcome: 'skipped', problem: 'review_not_found', message: '审核记录不存在或不在您的管辖范围' });
          else if (r.status !== 'pending') results.push({ reviewId: r.id, storeId: r.storeId, outcome: 'skipped', problem: 'review_closed', message: '该审核已处理' });
          else if (r.revision !== item.revision) results.push({ reviewId: r.id, storeId: r.storeId, outcome: 'skipped', problem: 'review_changed', message: '分公司刚刚又修改了绑定，请刷新后查看最新内容' });
          else if (!ready.includes(r)) ready.push(r);
        }
        let decidedIds: string[] = [];
        let shownStores: string[] = [];
        const audit: AuditEntry[] = [];
        if (show) {
          // Showing approves the stores' reviews (and audits them); the ones that cannot be shown stay pending.
          const shown = await visibility.applyVisibility(trx, by, actor, { storeIds: ready.map((r) => r.storeId), visible: true, reason: reason ?? undefined, onlyEligible: true });
          const skipped = new Map((shown.skipped ?? []).map((s) => [s.storeId, s]));
          for (const r of ready) {
            const skip = skipped.get(r.storeId);
            if (skip) results.push({ reviewId: r.id, storeId: r.storeId, outcome: 'skipped', problem: skip.problem, message: `不能展示入口：${skip.message}` });
            else decidedIds.push(r.id);
          }
          shownStores = shown.changed;
          await store.tagDecision(trx, decidedIds, decisionId);
        } else {
          decidedIds = ready.map((r) => r.id);
          const status = request.decision === 'approve' ? 'approved' : 'rejected';
          await store.decide(trx, decidedIds, { status, by, note: reason, shown: status === 'approved' ? false : null, decisionId });
          await visibility.writeEntries(
            trx,
            by,
            ready.map((r) => ({
              storeId: r.storeId,
              visible: false,
              reason: status === 'rejected' ? `${REJECTED_PREFIX}${reason}` : (reason ?? KEPT_HIDDEN_TEXT),
              hiddenAutomatically: status === 'rejected' ? 'review_rejected' : null,
            })),
          );
          for (const r of ready) {
            audit.push(reviewDecisionAudit(r, { action: status === 'rejected' ? 'review.reject' : 'review.approve', shown: false, reason }));
          }
        }
        const decided = ready.filter((r) => decidedIds.includes(r.id));
        for (const r of decided) results.push({ reviewId: r.id, storeId: r.storeId, outcome: request.decision === 'approve' ? 'approved' : 'rejected' });
        await writeAudit(trx, by, audit);
        await alerts.enqueue(
          trx,
          decisionMessages(
            decisionId,
            decided.map((r) => ({ storeId: r.storeId, storeName: r.storeName, branchId: r.branchId, branchName: r.branchName, outcome: request.decision === 'approve' ? 'approved' : 'rejected', shown: show, reason })),
          ),
        );
        return { results, shownStores };
      });
      visibility.announceShown(shownStores);
      const count = (o: ReviewDecisionResult['outcome']) => results.filter((r) => r.outcome === o).length;
      const order = new Map(request.items.map((i, n) => [i.reviewId, n]));
      results.sort((a, b) => (order.get(a.reviewId) ?? 0) - (order.get(b.reviewId) ?? 0));
      return { results, approved: count('approved'), rejected: count('rejected'), skipped: count('skipped') };
    },

    async resubmitReview(actor, storeId) {
      const by = authorOf(actor);
      await db.transaction(async (trx) => {
        const state = (await entries.states(trx, [storeId], SYSTEM_SCOPE)).get(storeId);
        if (!state) throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
        if (!inScope(scopeOf(actor), state.branchId)) throw forbidden(`门店 ${storeId} 不在您的管辖范围 (store outside your branch scope)`, 'branch_out_of_scope');
        const latest = await store.latestOf(trx, storeId);
        if (!latest || latest.status !== 'rejected' || state.hiddenAutomatically !== 'review_rejected') {
          throw conflict(`门店 ${storeId} 没有被退回的审核，无需重新提交`, 'review_not_returned');
        }
        const rejected = (await store.lockForDecision(trx, SYSTEM_SCOPE, [latest.id])).get(latest.id)!;
        const baseline = (await store.baselines(trx, [storeId])).get(storeId) ?? rejected.baseline;
        await store.insert(trx, by, [{ storeId, branchId: state.branchId, baseline, submitted: rejected.submitted, actions: ['resubmit'] }]);
        await visibility.hideAutomatically(trx, [storeId], 'pending_review');
        await writeAudit(trx, by, [
          { action: 'review.resubmit', entityType: 'binding_review', entityId: rejected.id, storeId, branchId: state.branchId, after: { binding: rejected.submitted } },
        ]);
      });
      const { items } = await listReviews(actor, { kind: 'pending', storeId, page: 1, pageSize: 1 });
      return items[0];
    },
  };
}
