/** knex access for WeCom callbacks: the raw event log, the contact rows and the live account count. */
import type { Knex } from 'knex';
import { LOCKS, xactLock } from '../core/locks.js';

const CALLBACK_EVENTS_TABLE = 'wss_wecom_callback_events';
const CONTACTS_TABLE = 'wss_wecom_contacts';
const ACCOUNTS_TABLE = 'wss_wecom_accounts';
const TOMBSTONES_TABLE = 'wss_wecom_contact_tombstones';

export interface NewCallbackEvent {
  dedupeKey: string;
  event: string;
  changeType?: string;
  userId?: string;
  externalUserId?: string;
  createTime: number;
  state?: string;
  welcomeCode?: string;
  rawXml: string;
}

export interface CallbackEventRow {
  id: string;
  dedupe_key: string;
  event: string;
  change_type: string | null;
  user_id: string | null;
  external_userid: string | null;
  create_time: string;
  state: string | null;
  welcome_code: string | null;
  raw_xml: string;
  received_at: Date;
  processed_at: Date | null;
  process_attempts: number;
  process_error: string | null;
  count_settled_at: Date | null;
  followed_up_at: Date | null;
}

export function createCallbackStore(db: Knex) {
  return {
    /** Inserts the event; returns its id, or undefined when the dedupe key was already stored. */
    async insertEvent(event: NewCallbackEvent): Promise<string | undefined> {
      const rows = (await db(CALLBACK_EVENTS_TABLE)
        .insert({
          dedupe_key: event.dedupeKey,
          event: event.event,
          change_type: event.changeType ?? null,
          user_id: event.userId ?? null,
          external_userid: event.externalUserId ?? null,
          create_time: event.createTime,
          state: event.state ?? null,
          welcome_code: event.welcomeCode ?? null,
          raw_xml: event.rawXml,
        })
        .onConflict('dedupe_key')
        .ignore()
        .returning('id')) as { id: string | number }[];
      return rows[0] ? String(rows[0].id) : undefined;
    },

    async pendingEventIds(limit: number): Promise<string[]> {
      const rows = (await db(CALLBACK_EVENTS_TABLE).whereNull('processed_at').orderBy('id').limit(limit).select('id')) as { id: string | number }[];
      return rows.map((row) => String(row.id));
    },

    /** The stored event, unlocked (to learn which account to lock first). */
    async findEvent(trx: Knex.Transaction, id: string): Promise<CallbackEventRow | undefined> {
      return (await trx(CALLBACK_EVENTS_TABLE).where({ id }).first()) as CallbackEventRow | undefined;
    },

    /** Locks an unprocessed event for this transaction (waiting for another applier); undefined once processed. */
    async lockPendingEvent(trx: Knex.Transaction, id: string): Promise<CallbackEventRow | undefined> {
      return (await trx(CALLBACK_EVENTS_TABLE).where({ id }).whereNull('processed_at').forUpdate().first()) as CallbackEventRow | undefined;
    },

    /**
     * The unprocessed events of one account × customer up to and including `upTo`, oldest first by
     * CreateTime then arrival, locked. Called under the account lock, so no other applier holds them.
     */
    async lockPendingOfPair(trx: Knex.Transaction, upTo: CallbackEventRow): Promise<CallbackEventRow[]> {
      return (await trx(CALLBACK_EVENTS_TABLE)
        .where({ user_id: upTo.user_id, external_userid: upTo.external_userid, event: upTo.event })
        .whereNull('processed_at')
        .where((w) => w.where('create_time', '<', upTo.create_time).orWhere((same) => same.where('create_time', upTo.create_time).andWhere('id', '<=', upTo.id)))
        .orderBy([{ column: 'create_time' }, { column: 'id' }])
        .forUpdate()) as CallbackEventRow[];
    },

    async markProcessed(trx: Knex.Transaction, id: string): Promise<void> {
      await trx(CALLBACK_EVENTS_TABLE).where({ id }).update({ processed_at: trx.fn.now(), process_error: null, process_attempts: trx.raw('process_attempts + 1') });
    },

    async markFailed(id: string, error: string): Promise<void> {
      await db(CALLBACK_EVENTS_TABLE).where({ id }).update({ process_error: error.slice(0, 2000), process_attempts: db.raw('process_attempts + 1') });
    },

    /** Applied events whose follow-up (listeners) did not finish, applied at least `graceMs` ago and within a day. */
    async awaitingFollowUp(limit: number, graceMs: number): Promise<CallbackEventRow[]> {
      return (await db(CALLBACK_EVENTS_TABLE)
        .whereNotNull('processed_at')
        .whereNull('followed_up_at')
        .where('processed_at', '<', db.raw("now() - make_interval(secs => ?::float / 1000)", [graceMs]))
        .where('processed_at', '>', db.raw("now() - interval '1 day'"))
        .orderBy('processed_at')
        .limit(limit)) as CallbackEventRow[];
    },

    async markFollowedUp(ids: string[]): Promise<void> {
      if (ids.length) await db(CALLBACK_EVENTS_TABLE).whereIn('id', ids).whereNull('followed_up_at').update({ followed_up_at: db.fn.now() });
    },

    async liveCount(userid: string): Promise<number | undefined> {
      const row = (await db(ACCOUNTS_TABLE).where({ userid }).first('customer_count')) as { customer_count: number } | undefined;
      return row?.customer_count;
    },

    /** Serialises changes to one account's contacts so the recomputed count is never stale. */
    async lockAccount(trx: Knex.Transaction, userid: string): Promise<void> {
      await xactLock(trx, LOCKS.account(userid));
    },

    /** Add: keeps the first-added time and the first state; a re-add after a delete revives the row. */
    async upsertAdded(trx: Knex.Transaction, input: { userid: string; externalUserId: string; at: Date; state?: string }): Promise<void> {
      await trx.raw(
        `insert into ${CONTACTS_TABLE} (external_userid, account_userid, state, first_added_at, last_added_at)
         values (?, ?, ?, ?, ?)
         on conflict (external_userid, account_userid) do update set
           first_added_at = least(${CONTACTS_TABLE}.first_added_at, excluded.first_added_at),
           last_added_at = greatest(${CONTACTS_TABLE}.last_added_at, excluded.last_added_at),
           state = coalesce(${CONTACTS_TABLE}.state, excluded.state),
           deleted_at = case when ${CONTACTS_TABLE}.deleted_at is not null and ${CONTACTS_TABLE}.deleted_at <= excluded.last_added_at
                             then null else ${CONTACTS_TABLE}.deleted_at end,
           deleted_by = case when ${CONTACTS_TABLE}.deleted_at is not null and ${CONTACTS_TABLE}.deleted_at <= excluded.last_added_at
                             then null else ${CONTACTS_TABLE}.deleted_by end`,
        [input.externalUserId, input.userid, input.state ?? null, input.at, input.at],
      );
    },

    /** Delete: ignored when a later add already revived the relation. Returns rows changed. */
    async markDeleted(trx: Knex.Transaction, input: { userid: string; externalUserId: string; at: Date; by: 'member' | 'customer' }): Promise<number> {
      return trx(CONTACTS_TABLE)
        .where({ account_userid: input.userid, external_userid: input.externalUserId })
        .whereNull('deleted_at')
        .where('last_added_at', '<=', input.at)
        .update({ deleted_at: input.at, deleted_by: input.by });
    },

    async markEdited(trx: Knex.Transaction, input: { userid: string; externalUserId: string; at: Date }): Promise<number> {
      return trx(CONTACTS_TABLE).where({ account_userid: input.userid, external_userid: input.externalUserId }).update({ edited_at: input.at });
    },

    async contactExists(trx: Knex.Transaction, userid: string, externalUserId: string): Promise<boolean> {
      return Boolean(await trx(CONTACTS_TABLE).where({ account_userid: userid, external_userid: externalUserId }).first('id'));
    },

    /** The delete the plugin applied before it knew the relation, locked. */
    async lockTombstone(trx: Knex.Transaction, userid: string, externalUserId: string): Promise<{ deletedAt: Date; by: 'member' | 'customer' } | undefined> {
      const row = (await trx(TOMBSTONES_TABLE).where({ account_userid: userid, external_userid: externalUserId }).forUpdate().first()) as
        | { deleted_at: Date; deleted_by: 'member' | 'customer' }
        | undefined;
      return row && { deletedAt: row.deleted_at, by: row.deleted_by };
    },

    /** Keeps the latest delete of a relation the plugin has no row for. */
    async putTombstone(trx: Knex.Transaction, input: { userid: string; externalUserId: string; at: Date; by: 'member' | 'customer' }): Promise<void> {
      await trx.raw(
        `insert into ${TOMBSTONES_TABLE} (account_userid, external_userid, deleted_at, deleted_by) values (?, ?, ?, ?)
         on conflict (account_userid, external_userid) do update set deleted_at = excluded.deleted_at, deleted_by = excluded.deleted_by
         where ${TOMBSTONES_TABLE}.deleted_at < excluded.deleted_at`,
        [input.userid, input.externalUserId, input.at, input.by],
      );
    },

    async dropTombstone(trx: Knex.Transaction, userid: string, externalUserId: string): Promise<void> {
      await trx(TOMBSTONES_TABLE).where({ account_userid: userid, external_userid: externalUserId }).delete();
    },

    /** Whether the relation is currently active (added and not deleted). */
    async isActive(trx: Knex.Transaction, userid: string, externalUserId: string): Promise<boolean> {
      const row = await trx(CONTACTS_TABLE).where({ account_userid: userid, external_userid: externalUserId }).whereNull('deleted_at').first('id');
      return Boolean(row);
    },

    /**
     * Applies a change to the account's live count. A delta, not a recount of local contacts: the
     * capacity reconcile sets the absolute figure from WeCom's list, which also holds customers
     * added before the plugin was listening. Returns the new count (undefined: account not bound).
     */
    async adjustCount(trx: Knex.Transaction, userid: string, delta: number): Promise<number | undefined> {
      const [row] = (await trx(ACCOUNTS_TABLE)
        .where({ userid })
        .update({ customer_count: trx.raw('greatest(0, customer_count + ?)', [delta]), ...(delta ? { updated_at: trx.fn.now() } : {}) })
        .returning('customer_count')) as { customer_count: number }[];
      return row?.customer_count;
    },
  };
}

export type CallbackStore = ReturnType<typeof createCallbackStore>;
