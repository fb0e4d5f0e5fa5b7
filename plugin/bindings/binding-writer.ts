import type { Knex } from 'knex';
import type { AuditEntry, Author } from '../core/audit.js';
import type { EntryVisibilityService } from '../entry-visibility/index.js';
import type { PlannedChange } from './binding-plan.js';
import type { BindingsStore } from './bindings.store.js';
import { newEffects, type LiveCodes, type WecomEffects } from './live-codes.js';

export interface BindingWriter {
  /** Runs a transaction whose WeCom effects are undone when it fails and finished when it commits. */
  withEffects<T>(fn: (trx: Knex.Transaction, effects: WecomEffects) => Promise<T>): Promise<T>;
  /** Writes planned changes: bindings, live codes, entry auto-hide, audit — inside the caller's transaction. */
  applyPlans(
    trx: Knex.Transaction,
    by: Author,
    plans: PlannedChange[],
    effects: WecomEffects,
    reason?: string | null,
    onProgress?: (done: number, total: number) => void,
  ): Promise<PlannedChange[]>;
}

/** The one path every binding change (single, import) takes to the database and to WeCom. */
export function createBindingWriter(deps: {
  db: Knex;
  store: BindingsStore;
  entries: Pick<EntryVisibilityService, 'hideAutomatically' | 'submitForReview'>;
  liveCodes: LiveCodes;
  /** After every committed change (the store-account cache forgets what it knew). */
  committed?: () => void;
}): BindingWriter {
  const { db, store, entries, liveCodes } = deps;
  return {
    async withEffects(fn) {
      const effects = newEffects();
      let result;
      try {
        result = await db.transaction((trx) => fn(trx, effects));
      } catch (error) {
        await liveCodes.undo(effects);
        throw error;
      }
      deps.committed?.();
      await liveCodes.afterCommit(effects);
      return result;
    },

    async applyPlans(trx, by, plans, effects, reason, onProgress) {
      const changed = plans.filter((p) => p.action !== 'unchanged');
      if (!changed.length) return changed;
      await store.endBindings(trx, changed.flatMap((p) => p.ends), by);
      await store.insertBindings(trx, changed.flatMap((p) => p.inserts.map((i) => ({ storeId: p.storeId, accountId: i.accountId, role: i.role }))), by);
      const byStore = new Map<string, PlannedChange[]>();
      for (const p of changed) byStore.set(p.storeId, [...(byStore.get(p.storeId) ?? []), p]);
      const storeIds = [...byStore.keys()];
      await liveCodes.syncStores(trx, storeIds, new Set(changed.filter((p) => p.primaryChanged).map((p) => p.storeId)), effects, onProgress);
      const submissions = [...byStore.values()].map((ps) => {
        const last = ps[ps.length - 1];
        return {
          storeId: last.storeId,
          branchId: last.branchId,
          before: ps[0].before,
          after: last.after,
          actions: ps.map((p) => p.action),
          needsReview: ps.some((p) => p.needsReview),
          leavesNoActiveAccount: last.leavesNoActiveAccount,
        };
      });
      await entries.hideAutomatically(trx, submissions.filter((s) => s.leavesNoActiveAccount).map((s) => s.storeId), 'no_active_account');
      // The review opens (or follows the change) and hides the entry until HQ decides.
      await entries.submitForReview(trx, by, submissions);
      await store.insertAudit(
        trx,
        by,
        changed.map(
          (p): AuditEntry => ({
            action: `binding.${p.action}`,
            entityType: 'store_binding',
            entityId: `${p.storeId}:${p.userid}`,
            storeId: p.storeId,
            branchId: p.branchId,
            before: p.before,
            after: p.after,
            reason: reason ?? null,
          }),
        ),
      );
      return changed;
    },
  };
}
