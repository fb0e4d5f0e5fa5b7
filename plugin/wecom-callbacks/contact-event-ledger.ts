/**
 * What the capacity reconcile asks of the stored callback events: WeCom's list of an account is an
 * absolute figure, but events around the list call are stored and not yet applied (their apply would
 * count them again) or applied after the list was taken (overwriting would lose them).
 */
import type { Knex } from 'knex';
import { ADDS, CONTACT_EVENT, DELETES } from './contact-apply.js';

const CALLBACK_EVENTS_TABLE = 'wss_wecom_callback_events';
const COUNTED_CHANGES = [...ADDS, ...DELETES];

export interface ContactEventLedger {
  /**
   * Called under the account lock with WeCom's list of the account's customers, asked for after
   * `since`. Returns the live count to write: the list, corrected for each customer with an event
   * stored but unapplied or applied since then — by the state its latest event leaves it in, which
   * is where applying every stored event in order ends. The unapplied ones are marked counted, so
   * applying them changes the contact rows and leaves the count alone.
   */
  settleListedCount(trx: Knex.Transaction, input: { userid: string; listed: readonly string[]; since: Date }): Promise<number>;
}

export function createContactEventLedger(): ContactEventLedger {
  return {
    async settleListedCount(trx, { userid, listed, since }) {
      const recent = (await trx(CALLBACK_EVENTS_TABLE)
        .where({ user_id: userid, event: CONTACT_EVENT })
        .whereIn('change_type', COUNTED_CHANGES)
        .whereNotNull('external_userid')
        .where((w) => w.whereNull('processed_at').orWhere('processed_at', '>=', since))
        .select('id', 'external_userid', 'processed_at')) as { id: string; external_userid: string; processed_at: Date | null }[];
      if (!recent.length) return listed.length;
      const customers = [...new Set(recent.map((r) => r.external_userid))];
      const latest = (await trx(CALLBACK_EVENTS_TABLE)
        .distinctOn('external_userid')
        .where({ user_id: userid, event: CONTACT_EVENT })
        .whereIn('change_type', COUNTED_CHANGES)
        .whereIn('external_userid', customers)
        .orderBy([{ column: 'external_userid' }, { column: 'create_time', order: 'desc' }, { column: 'id', order: 'desc' }])
        .select('external_userid', 'change_type')) as { external_userid: string; change_type: string }[];
      const inList = new Set(listed);
      let count = listed.length;
      for (const row of latest) count += Number(ADDS.has(row.change_type)) - Number(inList.has(row.external_userid));
      const unapplied = recent.filter((r) => !r.processed_at).map((r) => r.id);
      if (unapplied.length) await trx(CALLBACK_EVENTS_TABLE).whereIn('id', unapplied).update({ count_settled_at: trx.fn.now() });
      return Math.max(0, count);
    },
  };
}
