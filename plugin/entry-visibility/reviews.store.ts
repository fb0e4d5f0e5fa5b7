import type { Knex } from 'knex';
import type { Author } from '../core/audit.js';
import type { BindingView, ReviewAccount, ReviewItem, ReviewListKind, ReviewStatus } from '../contract/index.js';
import { whereInScope, type Scope } from '../access/scope.js';

export interface OpenReview {
  id: string;
  storeId: string;
  branchId: string;
  revision: number;
  baseline: BindingView;
  submitted: BindingView;
  actions: string[];
}

/** The audit entry of a review decision: the binding as HQ last approved it → as submitted. */
export function reviewDecisionAudit(r: OpenReview, decision: { action: 'review.approve' | 'review.reject'; shown: boolean; reason: string | null }) {
  return {
    action: decision.action,
    entityType: 'binding_review',
    entityId: r.id,
    storeId: r.storeId,
    branchId: r.branchId,
    before: { binding: r.baseline },
    after: { binding: r.submitted, shown: decision.shown, revision: r.revision },
    reason: decision.reason,
  };
}

export interface ReviewInsert {
  storeId: string;
  branchId: string;
  baseline: BindingView;
  submitted: BindingView;
  actions: string[];
}

export interface ReviewListFilter {
  kind: ReviewListKind;
  branchId?: string;
  storeId?: string;
  /** Pending for at least this many hours. */
  olderThanHours?: number;
  page: number;
  pageSize: number;
}

/** A pending review locked for a decision, with what the decision needs to know about its store. */
export interface LockedReview extends OpenReview {
  storeName: string;
  storeOpen: boolean;
  branchName: string;
}

const REVIEW_COLUMNS = [
  'r.id', 'r.store_id as storeId', 'r.branch_id as branchId', 'r.revision', 'r.baseline', 'r.submitted', 'r.actions',
] as const;

const toOpen = (r: Record<string, unknown>): OpenReview => ({
  id: String(r.id),
  storeId: r.storeId as string,
  branchId: r.branchId as string,
  revision: r.revision as number,
  baseline: r.baseline as BindingView,
  submitted: r.submitted as BindingView,
  actions: (r.actions as string[]) ?? [],
});

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

/** The stores HQ sent back that were not changed since (the latest review is the rejection, the entry still says so). */
const RETURNED_SQL = `r.status = 'rejected' AND e.hidden_automatically = 'review_rejected'
  AND NOT EXISTS (SELECT 1 FROM wss_binding_reviews n WHERE n.store_id = r.store_id AND n.id > r.id)`;

/** Knex only: HQ review cycles of store bindings (wss_binding_reviews) and the HQ digests. */
export function createReviewsStore() {
  return {
    /** Pending reviews of these stores, locked (the caller's transaction already locks the stores). */
    async openReviews(trx: Knex.Transaction, storeIds: string[]): Promise<Map<string, OpenReview>> {
      if (!storeIds.length) return new Map();
      const rows = await trx('wss_binding_reviews as r').whereIn('r.store_id', storeIds).where('r.status', 'pending').select(...REVIEW_COLUMNS).forUpdate();
      return new Map(rows.map((r: Record<string, unknown>) => [r.storeId as string, toOpen(r)]));
    },

    /**
     * The old side of a new review per store: what HQ last approved, else the old side of the store's
     * latest cycle (returned or withdrawn before HQ ever approved it). Missing: the store has no history.
     */
    async baselines(trx: Knex.Transaction, storeIds: string[]): Promise<Map<string, BindingView>> {
      if (!storeIds.length) return new Map();
      const { rows } = await trx.raw<{ rows: { store_id: string; view: BindingView }[] }>(
        `SELECT s.id AS store_id, coalesce(
           (SELECT r.submitted FROM wss_binding_reviews r WHERE r.store_id = s.id AND r.status = 'approved' ORDER BY r.id DESC LIMIT 1),
           (SELECT r.baseline FROM wss_binding_reviews r WHERE r.store_id = s.id ORDER BY r.id DESC LIMIT 1)) AS view
         FROM unnest(?::text[]) AS s(id)`,
        [storeIds],
      );
      return new Map(rows.filter((r) => r.view).map((r) => [r.store_id, r.view]));
    },

    async insert(trx: Knex.Transaction, by: Author, rows: ReviewInsert[]): Promise<void> {
      if (!rows.length) return;
      await trx('wss_binding_reviews').insert(
        rows.map((r) => ({
          store_id: r.storeId,
          branch_id: r.branchId,
          baseline: JSON.stringify(r.baseline),
          submitted: JSON.stringify(r.submitted),
          actions: r.actions,
          submitted_by: by.id,
          submitted_by_name: by.name,
        })),
      );
    },

    /** A new snapshot for an open review: a new revision, counted again in the next HQ digest. */
    async resubmit(trx: Knex.Transaction, by: Author, id: string, submitted: BindingView, actions: string[]): Promise<void> {
      await trx('wss_binding_reviews')
        .where({ id, status: 'pending' })
        .update({
          submitted: JSON.stringify(submitted),
          actions,
          revision: trx.raw('revision + 1'),
          submitted_at: trx.fn.now(),
          submitted_by: by.id,
          submitted_by_name: by.name,
          hq_notified_at: null,
        });
    },

    async withdraw(trx: Knex.Transaction, ids: string[]): Promise<void> {
      if (ids.length) await trx('wss_binding_reviews').whereIn('id', ids).where('status', 'pending').update({ status: 'withdrawn', decided_at: trx.fn.now() });
    },

    /** Pending reviews by id, in scope, locked with their store's state, in id order. */
    async lockForDecision(trx: Knex.Transaction, scope: Scope, ids: string[]): Promise<Map<string, LockedReview & { status: ReviewStatus }>> {
      if (!ids.length) return new Map();
      const query = trx('wss_binding_reviews as r')
        .join('wss_stores as s', 's.id', 'r.store_id')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .whereIn('r.id', ids)
        .select(...REVIEW_COLUMNS, 'r.status', 's.name as storeName', 's.is_open as storeOpen', 'b.name as branchName')
        .orderBy('r.id')
        .forUpdate('r');
      whereInScope(query, scope, 's.branch_id');
      const rows = await query;
      return new Map(
        rows.map((r: Record<string, unknown>) => [
          String(r.id),
          { ...toOpen(r), status: r.status as ReviewStatus, storeName: r.storeName as string, storeOpen: r.storeOpen as boolean, branchName: r.branchName as string },
        ]),
      );
    },

    async decide(
      trx: Knex.Transaction,
      ids: string[],
      decision: { status: 'approved' | 'rejected'; by: Author; note: string | null; shown: boolean | null; decisionId: string },
    ): Promise<void> {
      if (!ids.length) return;
      await trx('wss_binding_reviews').whereIn('id', ids).where('status', 'pending').update({
        status: decision.status,
        decided_at: trx.fn.now(),
        decided_by: decision.by.id,
        decided_by_name: decision.by.name,
        decision_note: decision.note,
        shown: decision.shown,
        decision_id: decision.decisionId,
      });
    },

    async tagDecision(trx: Knex.Transaction, ids: string[], decisionId: string): Promise<void> {
      if (ids.length) await trx('wss_binding_reviews').whereIn('id', ids).update({ decision_id: decisionId });
    },

    /** HQ showed these stores by hand: their pending reviews count as approved. Returns the closed ones. */
    async approveShown(trx: Knex.Transaction, by: Author, storeIds: string[], note: string | null): Promise<OpenReview[]> {
      if (!storeIds.length) return [];
      const rows = await trx('wss_binding_reviews as r')
        .whereIn('r.store_id', storeIds)
        .where('r.status', 'pending')
        .update({ status: 'approved', decided_at: trx.fn.now(), decided_by: by.id, decided_by_name: by.name, decision_note: note, shown: true })
        .returning(['id', 'store_id as storeId', 'branch_id as branchId', 'revision', 'baseline', 'submitted', 'actions']);
      return rows.map(toOpen);
    },

    /** The latest review of a store, if any. */
    async latestOf(knex: Knex, storeId: string): Promise<{ id: string; status: ReviewStatus } | null> {
      const row = await knex('wss_binding_reviews').where('store_id', storeId).orderBy('id', 'desc').first('id', 'status');
      return row ? { id: String(row.id), status: row.status } : null;
    },

    async list(knex: Knex, scope: Scope, filter: ReviewListFilter): Promise<{ total: number; items: Omit<ReviewItem, 'accounts'>[] }> {
      const base = knex('wss_binding_reviews as r')
        .join('wss_stores as s', 's.id', 'r.store_id')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .leftJoin('wss_store_entries as e', 'e.store_id', 'r.store_id');
      whereInScope(base, scope, 's.branch_id');
      if (filter.kind === 'pending') base.where('r.status', 'pending');
      else if (filter.kind === 'returned') base.whereRaw(RETURNED_SQL);
      else base.whereIn('r.status', ['approved', 'rejected']);
      if (filter.branchId) base.where('s.branch_id', filter.branchId);
      if (filter.storeId) base.where('r.store_id', filter.storeId);
      if (filter.olderThanHours !== undefined) base.whereRaw('r.first_submitted_at <= now() - make_interval(hours => ?)', [filter.olderThanHours]);
      const [{ total }] = await base.clone().count<{ total: string }[]>({ total: '*' });
      const order = filter.kind === 'pending'
        ? [{ column: 'r.first_submitted_at' }, { column: 'r.id' }]
        : [{ column: 'r.decided_at', order: 'desc' as const }, { column: 'r.id', order: 'desc' as const }];
      const rows = await base
        .select(
          ...REVIEW_COLUMNS, 'r.status', 'r.first_submitted_at', 'r.submitted_at', 'r.submitted_by', 'r.submitted_by_name',
          'r.decided_at', 'r.decided_by', 'r.decided_by_name', 'r.decision_note', 'r.shown',
          's.name as storeName', 's.is_open as storeOpen', 'b.name as branchName',
          knex.raw('coalesce(e.visible, false) AS "entryVisible"'), 'e.reason as entryReason',
        )
        .orderBy(order)
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      return {
        total: Number(total),
        items: rows.map((r: Record<string, unknown>) => ({
          ...toOpen(r),
          branchId: r.branchId as string,
          status: r.status as ReviewStatus,
          storeName: r.storeName as string,
          branchName: r.branchName as string,
          storeOpen: r.storeOpen as boolean,
          firstSubmittedAt: iso(r.first_submitted_at)!,
          submittedAt: iso(r.submitted_at)!,
          submittedBy: { id: r.submitted_by as string, name: r.submitted_by_name as string },
          decidedAt: iso(r.decided_at),
          decidedBy: r.decided_by ? { id: r.decided_by as string, name: r.decided_by_name as string } : null,
          note: (r.decision_note as string | null) ?? null,
          shown: (r.shown as boolean | null) ?? null,
          entry: { visible: r.entryVisible as boolean, reason: (r.entryReason as string | null) ?? null },
        })),
      };
    },

    async summary(knex: Knex, scope: Scope): Promise<{ pending: number; returned: number; oldestPendingAt: string | null }> {
      const base = () => {
        const q = knex('wss_binding_reviews as r').join('wss_stores as s', 's.id', 'r.store_id').leftJoin('wss_store_entries as e', 'e.store_id', 'r.store_id');
        return whereInScope(q, scope, 's.branch_id');
      };
      const [pending] = await base().where('r.status', 'pending').select(knex.raw('count(*)::int AS n'), knex.raw('min(r.first_submitted_at) AS oldest'));
      const [returned] = await base().whereRaw(RETURNED_SQL).select(knex.raw('count(*)::int AS n'));
      return { pending: pending.n, returned: returned.n, oldestPendingAt: iso(pending.oldest) };
    },

    /** The accounts of these userids as last seen (status, count, limit), with their fill level. */
    async accounts(knex: Knex, userids: string[], levels: { warning: number; hard: number }): Promise<Map<string, ReviewAccount>> {
      if (!userids.length) return new Map();
      const rows = await knex('wss_wecom_accounts')
        .whereIn('userid', userids)
        .select('userid', 'name', 'wecom_status as wecomStatus', 'customer_count as count', 'capacity_limit as limit', 'counted_at as countedAt');
      return new Map(
        rows.map((r: ReviewAccount) => {
          const exact = (r.count * 100) / r.limit;
          const level = exact >= levels.hard ? 'full' : exact >= levels.warning ? 'warning' : 'ok';
          return [r.userid, { ...r, percent: Math.floor(exact * 10) / 10, level, countedAt: iso(r.countedAt) }];
        }),
      );
    },

    /** Pending reviews HQ was not told about yet, with their branch, locked (the digest marks them). */
    async unnotified(trx: Knex.Transaction): Promise<{ id: string; branchId: string; branchName: string }[]> {
      const rows = await trx('wss_binding_reviews as r')
        .join('wss_stores as s', 's.id', 'r.store_id')
        .join('wss_branches as b', 'b.id', 's.branch_id')
        .where('r.status', 'pending')
        .whereNull('r.hq_notified_at')
        .orderBy('r.id')
        .select('r.id', 's.branch_id as branchId', 'b.name as branchName')
        .forUpdate('r');
      return rows.map((r: { id: string; branchId: string; branchName: string }) => ({ ...r, id: String(r.id) }));
    },

    /** Pending reviews per branch (every branch that has one). */
    async pendingByBranch(knex: Knex): Promise<Map<string, number>> {
      const rows = await knex('wss_binding_reviews as r').join('wss_stores as s', 's.id', 'r.store_id').where('r.status', 'pending').groupBy('s.branch_id').select('s.branch_id', knex.raw('count(*)::int AS n'));
      return new Map(rows.map((r: { branch_id: string; n: number }) => [r.branch_id, r.n]));
    },

    async markNotified(trx: Knex.Transaction, ids: string[]): Promise<void> {
      if (ids.length) await trx('wss_binding_reviews').whereIn('id', ids).update({ hq_notified_at: trx.fn.now() });
    },

    /** Seconds since the last HQ digest (null: never sent). */
    async secondsSinceLastDigest(trx: Knex.Transaction): Promise<number | null> {
      const [row] = await trx('wss_review_digests').select(trx.raw('extract(epoch FROM now() - max(sent_at))::float AS s'));
      return row?.s ?? null;
    },

    async insertDigest(trx: Knex.Transaction, submissions: number, byBranch: unknown[]): Promise<string> {
      const [row] = await trx('wss_review_digests').insert({ submissions, by_branch: JSON.stringify(byBranch) }).returning('id');
      return String(row.id);
    },
  };
}

export type ReviewsStore = ReturnType<typeof createReviewsStore>;
