import { wecomUnavailable } from '../wecom/index.js';
import type { CapacityLevels } from './capacity-check.js';
import type { BindingsWecomApi } from './wecom-api.js';

/** WeCom's list of a member's customers: its length, when it was asked for and answered, the ids. */
export interface CustomerCount {
  count: number;
  at: Date;
  askedAt: Date;
  listed: ReadonlySet<string>;
}

/**
 * Counts a member's customers with externalcontact/list (84061 = none). The bind dialog asks again
 * as the userid is typed, so a figure younger than a few seconds is reused (single-flight per userid);
 * a bind itself always asks WeCom afresh.
 */
export function createCustomerCounter(deps: { api: BindingsWecomApi; levels: CapacityLevels; reuseMs?: number }) {
  const reuseMs = deps.reuseMs ?? 5_000;
  const recent = new Map<string, { at: number; value: Promise<CustomerCount> }>();

  function ask(userid: string) {
    const askedAt = new Date();
    const value = deps.api.listExternalContacts(userid).then(
      (ids): CustomerCount => ({ count: ids.length, at: new Date(), askedAt, listed: new Set(ids) }),
      (error: unknown) => {
        recent.delete(userid);
        throw wecomUnavailable(error);
      },
    );
    recent.set(userid, { at: Date.now(), value });
    if (recent.size > 5_000) recent.delete(recent.keys().next().value!);
    return value;
  }

  return {
    levels: deps.levels,
    /** A fresh count (binds). */
    count: (userid: string) => ask(userid),
    /** A count at most a few seconds old (the dialog's live check). */
    peek(userid: string) {
      const hit = recent.get(userid);
      return hit && Date.now() - hit.at < reuseMs ? hit.value : ask(userid);
    },
  };
}

export type CustomerCounter = ReturnType<typeof createCustomerCounter>;
