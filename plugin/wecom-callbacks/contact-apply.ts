/**
 * Applying one change_external_contact event to the contact rows and the account's live count, under
 * the account lock, in CreateTime order per account × customer (the caller's job). A delete for a
 * relation the plugin has no row for leaves a tombstone, so an add that happened before it but is
 * applied after it (late, replayed) records the relation as deleted instead of bringing it back.
 */
import type { Knex } from 'knex';
import type { CallbackEventRow, CallbackStore } from './callback.store.js';

export const CONTACT_EVENT = 'change_external_contact';

export const ADDS = new Set(['add_external_contact', 'add_half_external_contact']);
export const DELETES = new Set(['del_external_contact', 'del_follow_user']);

/** Whether the event is about one account × customer and must be applied in order with its pair. */
export function isPairEvent(row: Pick<CallbackEventRow, 'event' | 'user_id' | 'external_userid'>): boolean {
  return row.event === CONTACT_EVENT && Boolean(row.user_id) && Boolean(row.external_userid);
}

/**
 * Applies the event; returns the account's live count afterwards when the event is an add or a
 * delete (undefined: other events, or the account is not one the plugin counts). An event the
 * capacity reconcile already counted (`count_settled_at`) changes the rows but not the count.
 */
export async function applyContactEvent(trx: Knex.Transaction, store: CallbackStore, row: CallbackEventRow): Promise<number | undefined> {
  if (!isPairEvent(row)) return undefined;
  const userid = row.user_id!;
  const externalUserId = row.external_userid!;
  const at = new Date(Number(row.create_time) * 1000);
  const changeType = row.change_type ?? '';
  if (changeType === 'edit_external_contact') {
    await store.markEdited(trx, { userid, externalUserId, at });
    return undefined;
  }
  if (!ADDS.has(changeType) && !DELETES.has(changeType)) return undefined;

  const wasActive = await store.isActive(trx, userid, externalUserId);
  if (ADDS.has(changeType)) {
    const tombstone = await store.lockTombstone(trx, userid, externalUserId);
    await store.upsertAdded(trx, { userid, externalUserId, at, state: row.state ?? undefined });
    // The relation was deleted after this add (the delete was applied first): it stays deleted.
    if (tombstone && tombstone.deletedAt.getTime() > at.getTime()) {
      await store.markDeleted(trx, { userid, externalUserId, at: tombstone.deletedAt, by: tombstone.by });
    }
    if (tombstone) await store.dropTombstone(trx, userid, externalUserId);
  } else {
    const by = changeType === 'del_external_contact' ? 'member' : 'customer';
    const changed = await store.markDeleted(trx, { userid, externalUserId, at, by });
    if (!changed && !(await store.contactExists(trx, userid, externalUserId))) await store.putTombstone(trx, { userid, externalUserId, at, by });
  }
  const isActive = await store.isActive(trx, userid, externalUserId);
  const delta = row.count_settled_at ? 0 : Number(isActive) - Number(wasActive);
  return store.adjustCount(trx, userid, delta);
}
