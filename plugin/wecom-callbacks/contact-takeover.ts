/**
 * A customer WeCom handed from one member to another (继承) moves in the contact rows and the live
 * counts the way callbacks move them, under both account locks: the old relation ends (a row marked
 * deleted, so the `del_external_contact` WeCom may also send for it changes nothing), the new one
 * starts. Each count moves only when its relation really changed, so replays and the callback in
 * either order count once.
 */
import type { Knex } from 'knex';
import { LOCKS, lockId } from '../core/locks.js';
import { createCallbackStore } from './callback.store.js';

export interface ContactTakeovers {
  /** Called inside the caller's transaction; returns the two live counts afterwards (undefined: not an account the plugin counts). */
  recordTakeover(trx: Knex.Transaction, input: { from: string; to: string; externalUserId: string; at: Date }): Promise<{ from?: number; to?: number }>;
}

export function createContactTakeovers(db: Knex): ContactTakeovers {
  const store = createCallbackStore(db);
  return {
    async recordTakeover(trx, { from, to, externalUserId, at }) {
      const keys = [...new Set([from, to].map((u) => lockId(LOCKS.account(u))))];
      await trx.raw('SELECT pg_advisory_xact_lock(k) FROM (SELECT k FROM unnest(?::bigint[]) AS k ORDER BY k) AS sorted', [keys]);
      // The old member: a row that says "ended by the handover"; no row yet means it was counted in
      // the reconciled figure (the handover listed it as the member's customer).
      const hadRow = await store.contactExists(trx, from, externalUserId);
      const wasActive = hadRow ? await store.isActive(trx, from, externalUserId) : true;
      if (hadRow) await store.markDeleted(trx, { userid: from, externalUserId, at, by: 'member' });
      else {
        await store.upsertAdded(trx, { userid: from, externalUserId, at: new Date(at.getTime() - 1000) });
        await store.markDeleted(trx, { userid: from, externalUserId, at, by: 'member' });
        await store.dropTombstone(trx, from, externalUserId);
      }
      const fromCount = await store.adjustCount(trx, from, wasActive ? -1 : 0);
      const takerWasActive = await store.isActive(trx, to, externalUserId);
      await store.upsertAdded(trx, { userid: to, externalUserId, at });
      const toCount = await store.adjustCount(trx, to, takerWasActive ? 0 : 1);
      return { from: fromCount, to: toCount };
    },
  };
}
