/** Handing a store account's customers over (继承) when its member left or HQ replaced it. */

export type HandoverKind = 'service' | 'resigned';
export type HandoverReason = 'member_left' | 'account_replaced';
export type HandoverState = 'proposed' | 'approved' | 'transferring' | 'done' | 'dismissed';
export type HandoverCustomerState =
  | 'pending' | 'waiting' | 'done' | 'refused' | 'taker_full' | 'no_record' | 'not_customer' | 'too_frequent' | 'no_room' | 'failed';

export interface HandoverItem {
  id: string;
  storeId: string;
  storeName: string;
  branchId: string;
  handover: { userid: string; name: string };
  kind: HandoverKind;
  reason: HandoverReason;
  status: HandoverState;
  takers: { userid: string; name: string }[];
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  finishedAt: string | null;
  /** Customers by state, e.g. `{ waiting: 80, done: 12, refused: 1 }`. */
  counts: Partial<Record<HandoverCustomerState, number>>;
  total: number;
}

export interface HandoverListBody {
  items: HandoverItem[];
  /** What the caller may do (the server checks again). */
  can: { decide: boolean };
}

export interface HandoverCustomerItem {
  externalUserid: string;
  takeoverUserid: string | null;
  status: HandoverCustomerState;
  errcode: number | null;
  /** Why it was not handed over, in words (zh-CN), for the final states other than done. */
  reasonText: string | null;
  takeoverAt: string | null;
}

export interface HandoverDetailBody {
  handover: HandoverItem;
  customers: HandoverCustomerItem[];
}
