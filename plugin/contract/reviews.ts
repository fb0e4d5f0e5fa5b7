import type { IsoTime, Paged } from './common.js';
import type { BindingView } from './bindings.js';

/** pending: waits for HQ; approved / rejected: HQ decided; withdrawn: nothing left to review. */
export type ReviewStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

/** Which reviews a list shows: HQ's queue, the stores HQ sent back, or decided ones (newest first). */
export type ReviewListKind = 'pending' | 'returned' | 'decided';

/** An account of the diff as the plugin last saw it (user/get status, last counted customers). */
export interface ReviewAccount {
  userid: string;
  name: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left; null when never checked. */
  wecomStatus: number | null;
  count: number;
  limit: number;
  percent: number;
  /** Against the capacity levels: ok, at/over the lowest warning threshold, at/over the hard level. */
  level: 'ok' | 'warning' | 'full';
  countedAt: IsoTime | null;
}

export interface ReviewItem {
  id: string;
  revision: number;
  status: ReviewStatus;
  storeId: string;
  storeName: string;
  branchId: string;
  branchName: string;
  storeOpen: boolean;
  /** What HQ last approved (old side of the diff). */
  baseline: BindingView;
  /** What the branch submitted (new side). */
  submitted: BindingView;
  /** Binding actions of this cycle, in order (bind, add_backup, rebind, replace, unbind, promote, resubmit). */
  actions: string[];
  accounts: ReviewAccount[];
  firstSubmittedAt: IsoTime;
  submittedAt: IsoTime;
  submittedBy: { id: string; name: string };
  decidedAt: IsoTime | null;
  decidedBy: { id: string; name: string } | null;
  /** Reject reason, or the note HQ gave with an approval. */
  note: string | null;
  shown: boolean | null;
  entry: { visible: boolean; reason: string | null };
}

export type ReviewListBody = Paged<ReviewItem>;

export interface ReviewSummaryBody {
  /** Stores waiting for HQ (in the caller's scope). */
  pending: number;
  /** Stores HQ sent back that were not changed since. */
  returned: number;
  oldestPendingAt: IsoTime | null;
}

export interface ReviewDecisionRequest {
  decision: 'approve' | 'reject';
  /** The revision the decider saw: a review changed since is skipped, not decided blind. */
  items: { reviewId: string; revision: number }[];
  /** Approve only: show the entry (default) or keep it hidden. */
  show?: boolean;
  /** Required to reject; optional note when approving. */
  reason?: string;
}

export type ReviewSkipProblem = 'review_not_found' | 'review_closed' | 'review_changed' | 'store_closed' | 'no_active_account';

export interface ReviewDecisionResult {
  reviewId: string;
  storeId: string | null;
  outcome: 'approved' | 'rejected' | 'skipped';
  problem?: ReviewSkipProblem;
  message?: string;
}

export interface ReviewDecisionBody {
  results: ReviewDecisionResult[];
  approved: number;
  rejected: number;
  skipped: number;
}

export interface ReviewResubmitBody {
  review: ReviewItem;
}
