/**
 * What the capacity reconcile asks of the stored callback events: WeCom's list of an account is an
 * absolute figure, but events around the list call are stored and not yet applied (their apply would
 * count them again) or applied after the list was taken (overwriting would lose them).
 */
import type { Knex } from 'knex';
import { ADDS, CONTACT_EVENT, DELETES } from './contact-apply.js';

const CALLBACK_EVENTS_TABLE = 'wss_wecom_callback_events';
const COUNTED_CHANGES = [...ADDS, ...DELETES];

/** WeCom's list of one account: its length, and whether a customer is in it. */
export interface ListedAccount {
  userid: string;
  listed: { readonly size: number; has(externalUserid: string): boolean };
}

/** Events applied this long before a list call are certainly in WeCom's answer; earlier ones are left alone. */
export const SETTLE_MARGIN_MS = 60_000;

export interface ContactEventLedger {
  /**
   * Called under the accounts' locks with WeCom's lists of them, asked for after `since`. Returns
   * the live count to write per userid: the list, corrected for each customer with an event stored
   * but unapplied or applied since then, by the state its latest event leaves it in, which is where
   * applying every stored event in order ends. The unapplied ones are marked counted, so applying
   * them changes the contact rows and leaves the count alone.
   */
  settleListedCounts(trx: Knex.Transaction, input: { accounts: readonly ListedAccount[]; since: Date }): Promise<Map<string, number>>;
}

export function createContactEventLedger(): ContactEventLedger {
  return {
    async settleListedCounts(trx, { accounts, since }) {
      const counts = new Map(accounts.map((a) => [a.userid, a.listed.size]));
      if (!accounts.length) return counts;
      const userids = accounts.map((a) => a.userid);
      const recent = (await trx(CALLBACK_EVENTS_TABLE)
        .whereIn('user_id', userids)
        .where('event', CONTACT_EVENT)
        .whereIn('change_type', COUNTED_CHANGES)
        .whereNotNull('external_userid')
        .where((w) => w.whereNull('processed_at').orWhere('processed_at', '>=', since))
        .select('id', 'user_id', 'external_userid', 'processed_at')) as { id: string; user_id: string; external_userid: string; processed_at: Date | null }[];
      if (!recent.length) return counts;
      const pairs = [...new Map(recent.map((r) => [`${r.user_id}\u0000${r.external_userid}`, r])).values()];
      const { rows: latest } = await trx.raw<{ rows: { user_id: string; external_userid: string; change_type: string }[] }>(
        `SELECT DISTINCT ON (e.user_id, e.external_userid) e.user_id, e.external_userid, e.change_type
         FROM ${CALLBACK_EVENTS_TABLE} e JOIN unnest(?::text[], ?::text[]) AS p(user_id, external_userid)
           ON e.user_id = p.user_id AND e.external_userid = p.external_userid
         WHERE e.event = ? AND e.change_type = ANY(?)
         ORDER BY e.user_id, e.external_userid, e.create_time DESC, e.id DESC`,
        [pairs.map((p) => p.user_id), pairs.map((p) => p.external_userid), CONTACT_EVENT, COUNTED_CHANGES],
      );
      const byUserid = new Map(accounts.map((a) => [a.userid, a]));
      for (const row of latest) {
        const account = byUserid.get(row.user_id)!;
        const correction = Number(ADDS.has(row.change_type)) - Number(account.listed.has(row.external_userid));
        counts.set(row.user_id, counts.get(row.user_id)! + correction);
      }
      const unapplied = recent.filter((r) => !r.processed_at).map((r) => r.id);
      if (unapplied.length) await trx(CALLBACK_EVENTS_TABLE).whereIn('id', unapplied).update({ count_settled_at: trx.fn.now() });
      for (const [userid, count] of counts) counts.set(userid, Math.max(0, count));
      return counts;
    },
  };
}
