/**
 * Contact reconcile: WeCom's relations of an account (externalcontact/batch/get_by_user, with
 * follow_info.state and createtime) against wss_wecom_contacts. A relation WeCom has and the plugin
 * missed (its add callback never arrived) becomes an add event dated by createtime carrying the
 * relation's state; a relation the plugin has and WeCom no longer lists becomes a delete. Both are
 * stored as callback events and applied by the same ordered apply as real callbacks (account lock,
 * CreateTime order, tombstones), so attribution and thresholds follow as for any add. They are
 * count-settled: the live count stays the capacity reconcile's (WeCom's list), which nets them out.
 */
import type { Knex } from 'knex';
import type { WecomClient } from '../wecom/index.js';
import type { CallbackStore } from './callback.store.js';
import { CONTACT_EVENT } from './contact-apply.js';

export interface ContactReconcileReport {
  accounts: number;
  listed: number;
  /** Adds recovered (relations WeCom has that the plugin missed), per account with any. */
  recoveredAdds: number;
  endedRelations: number;
  /** Listed relations a later delete (tombstone) keeps deleted. */
  keptDeleted: number;
  failed: number;
  /** Ids of the events written, to apply. */
  eventIds: string[];
  byAccount: { userid: string; recoveredAdds: number; endedRelations: number }[];
}

/** Relations younger than this are left alone: their callback may be on its way. */
const SETTLE_MARGIN_MS = 5 * 60_000;
const BATCH_USERS = 100;

interface Listed { createtime: number; state: string | null }

export function createContactReconciler(deps: { db: Knex; store: CallbackStore; wecom: Pick<WecomClient, 'iterateByUser'> }) {
  const { db, store, wecom } = deps;

  /** Writes the missing adds and the gone relations of one account under its lock; returns event ids. */
  async function reconcileAccount(userid: string, listed: Map<string, Listed>, since: Date) {
    return db.transaction(async (trx) => {
      await store.lockAccount(trx, userid);
      const contacts = (await trx('wss_wecom_contacts').where('account_userid', userid)
        .select('external_userid', 'last_added_at', 'deleted_at')) as { external_userid: string; last_added_at: Date; deleted_at: Date | null }[];
      const tombstones = new Map(((await trx('wss_wecom_contact_tombstones').where('account_userid', userid)
        .select('external_userid', 'deleted_at')) as { external_userid: string; deleted_at: Date }[]).map((t) => [t.external_userid, t.deleted_at]));
      const pending = new Set(((await trx('wss_wecom_callback_events').where({ user_id: userid, event: CONTACT_EVENT }).whereNull('processed_at')
        .whereNotNull('external_userid').distinct('external_userid')) as { external_userid: string }[]).map((r) => r.external_userid));
      const known = new Map(contacts.map((c) => [c.external_userid, c]));
      const events: { changeType: string; externalUserId: string; createTime: number; state: string | null }[] = [];
      let keptDeleted = 0;
      for (const [externalUserId, relation] of listed) {
        if (pending.has(externalUserId) || relation.createtime * 1000 > since.getTime()) continue;
        const row = known.get(externalUserId);
        if (row && !row.deleted_at) continue;
        // A delete at or after WeCom's add time (applied, or a tombstone of one) keeps it deleted.
        const deletedAt = row?.deleted_at ?? tombstones.get(externalUserId);
        if (deletedAt && deletedAt.getTime() >= relation.createtime * 1000) {
          keptDeleted += 1;
          continue;
        }
        events.push({ changeType: 'add_external_contact', externalUserId, createTime: relation.createtime, state: relation.state });
      }
      const endAt = Math.floor(since.getTime() / 1000);
      for (const c of contacts) {
        if (c.deleted_at || listed.has(c.external_userid) || pending.has(c.external_userid)) continue;
        if (c.last_added_at.getTime() > since.getTime()) continue;
        events.push({ changeType: 'del_follow_user', externalUserId: c.external_userid, createTime: endAt, state: null });
      }
      const ids: string[] = [];
      for (const e of events) {
        const rows = (await trx('wss_wecom_callback_events')
          .insert({
            dedupe_key: ['reconcile', e.changeType, userid, e.externalUserId, e.createTime].join('|'),
            event: CONTACT_EVENT, change_type: e.changeType, user_id: userid, external_userid: e.externalUserId,
            create_time: e.createTime, state: e.state, raw_xml: '<reconcile source="externalcontact/batch/get_by_user"/>', count_settled_at: trx.fn.now(),
          })
          .onConflict('dedupe_key').ignore().returning('id')) as { id: string | number }[];
        if (rows[0]) ids.push(String(rows[0].id));
      }
      const recoveredAdds = events.filter((e) => e.changeType === 'add_external_contact').length;
      const endedRelations = events.length - recoveredAdds;
      await trx.raw(
        `INSERT INTO wss_contact_reconcile_state (account_userid, reconciled_at, listed, recovered_adds, ended_relations, kept_deleted, error)
         VALUES (?, now(), ?, ?, ?, ?, NULL)
         ON CONFLICT (account_userid) DO UPDATE SET reconciled_at = now(), listed = excluded.listed, recovered_adds = excluded.recovered_adds,
           ended_relations = excluded.ended_relations, kept_deleted = excluded.kept_deleted, error = NULL`,
        [userid, listed.size, recoveredAdds, endedRelations, keptDeleted],
      );
      return { ids, recoveredAdds, endedRelations, keptDeleted };
    });
  }

  return {
    /**
     * Accounts to reconcile: those whose live count differs from their contact rows (a callback was
     * lost either way), then the rest, least recently reconciled first, up to `budget` accounts.
     */
    async accountsToReconcile(budget: number): Promise<string[]> {
      const rows = await db.raw<{ rows: { userid: string }[] }>(
        `SELECT a.userid FROM wss_wecom_accounts a
         LEFT JOIN wss_contact_reconcile_state r ON r.account_userid = a.userid
         WHERE coalesce(a.wecom_status, 1) = 1
         ORDER BY (a.customer_count <> (SELECT count(*) FROM wss_wecom_contacts c WHERE c.account_userid = a.userid AND c.deleted_at IS NULL)) DESC,
                  r.reconciled_at NULLS FIRST, a.userid
         LIMIT ?`,
        [budget],
      );
      return rows.rows.map((r) => r.userid);
    },

    /** One batch/get_by_user pass over the accounts (≤100 per call, paged by cursor), then the writes. */
    async reconcile(userids: string[], signal?: AbortSignal, settleMarginMs = SETTLE_MARGIN_MS): Promise<ContactReconcileReport> {
      const report: ContactReconcileReport = { accounts: 0, listed: 0, recoveredAdds: 0, endedRelations: 0, keptDeleted: 0, failed: 0, eventIds: [], byAccount: [] };
      for (let i = 0; i < userids.length; i += BATCH_USERS) {
        if (signal?.aborted) break;
        const batch = userids.slice(i, i + BATCH_USERS);
        const since = new Date(Date.now() - settleMarginMs);
        const listed = new Map(batch.map((u) => [u, new Map<string, Listed>()]));
        try {
          for await (const item of wecom.iterateByUser(batch, 100)) {
            const follow = item.follow_info;
            listed.get(follow.userid)?.set(item.external_contact.external_userid, { createtime: follow.createtime, state: follow.state ?? null });
          }
        } catch (error) {
          report.failed += batch.length;
          const message = error instanceof Error ? error.message.slice(0, 300) : String(error);
          for (const userid of batch) {
            await db.raw(
              `INSERT INTO wss_contact_reconcile_state (account_userid, reconciled_at, error) VALUES (?, now(), ?)
               ON CONFLICT (account_userid) DO UPDATE SET reconciled_at = now(), error = excluded.error`,
              [userid, message],
            );
          }
          continue;
        }
        for (const userid of batch) {
          const relations = listed.get(userid)!;
          const done = await reconcileAccount(userid, relations, since);
          report.accounts += 1;
          report.listed += relations.size;
          report.recoveredAdds += done.recoveredAdds;
          report.endedRelations += done.endedRelations;
          report.keptDeleted += done.keptDeleted;
          report.eventIds.push(...done.ids);
          if (done.recoveredAdds || done.endedRelations) report.byAccount.push({ userid, recoveredAdds: done.recoveredAdds, endedRelations: done.endedRelations });
        }
      }
      return report;
    },
  };
}
