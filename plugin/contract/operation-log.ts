import type { IsoTime, Paged } from './common.js';

export interface OperationLogItem {
  id: string;
  at: IsoTime;
  actorId: string;
  actorName: string;
  action: string;
  /** zh-CN name of the action (elements show their own label per locale when they know the action). */
  actionLabel: string;
  storeId: string | null;
  storeName: string | null;
  branchId: string | null;
  branchName: string | null;
  /** zh-CN description of what changed (old → new), with account names. */
  summary: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

export interface OperationLogBody extends Paged<OperationLogItem> {
  /** Who appears in the log in the caller's scope (for the actor filter), most recent first. */
  actors: { id: string; name: string }[];
  actions: { action: string; label: string }[];
}
