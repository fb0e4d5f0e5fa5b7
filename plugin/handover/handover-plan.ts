/**
 * Who takes which customer: takers in order of preference, each up to its room below the hard
 * level (never past it), the rest unplaced. Pure, so the split is tested on its own.
 */

/** A taker and how many more customers it may take before reaching the hard level. */
export interface TakerRoom {
  userid: string;
  room: number;
}

/** Customers an account may still take: up to the hard level of its limit, minus those on their way to it. */
export function roomBelowHardLevel(input: { count: number; limit: number; hardLevel: number; inbound: number }): number {
  const ceiling = Math.floor((input.limit * input.hardLevel) / 100);
  return Math.max(0, ceiling - input.count - input.inbound);
}

export function planTakers(customers: readonly string[], takers: readonly TakerRoom[]): { assigned: Map<string, string[]>; unplaced: string[] } {
  const assigned = new Map<string, string[]>();
  let next = 0;
  for (const taker of takers) {
    if (next >= customers.length) break;
    const take = Math.min(Math.max(0, taker.room), customers.length - next);
    if (!take) continue;
    assigned.set(taker.userid, [...(assigned.get(taker.userid) ?? []), ...customers.slice(next, next + take)]);
    next += take;
  }
  return { assigned, unplaced: customers.slice(next) };
}

/** WeCom's transfer_result status → the customer's status here. */
export const RESULT_STATUS: Record<number, 'done' | 'waiting' | 'refused' | 'taker_full' | 'no_record'> = {
  1: 'done',
  2: 'waiting',
  3: 'refused',
  4: 'taker_full',
  5: 'no_record',
};

/** What a per-customer errcode of transfer_customer leaves the customer as. */
export function afterRequest(errcode: number): 'waiting' | 'in_progress' | 'retry_elsewhere' | 'too_frequent' | 'not_customer' | 'failed' {
  if (errcode === 0) return 'waiting';
  // Already being handed over: ours (a request whose answer was lost) or someone else's.
  if (errcode === 40129) return 'in_progress';
  if (errcode === 40099) return 'retry_elsewhere';
  if (errcode === 40128) return 'too_frequent';
  if (errcode === 84061 || errcode === 40096) return 'not_customer';
  return 'failed';
}

export const FINAL_STATUSES = ['done', 'refused', 'taker_full', 'no_record', 'not_customer', 'too_frequent', 'no_room', 'failed'] as const;
export type HandoverCustomerStatus = 'pending' | 'waiting' | (typeof FINAL_STATUSES)[number];
