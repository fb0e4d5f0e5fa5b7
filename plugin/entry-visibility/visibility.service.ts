import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { EntryState as EntryStateBody, VisibilityChangeBody } from '../contract/index.js';
import { conflict, notFound } from '../core/errors.js';
import { SYSTEM_AUTHOR, authorOf, writeAudit, type AuditEntry, type Author } from '../core/audit.js';
import { scopeOf, SYSTEM_SCOPE } from '../access/scope.js';
import type { StoresClosedListener } from '../directory/index.js';
import type { EntriesStore, EntryState, EntryWrite } from './visibility.store.js';
import { reviewDecisionAudit, type ReviewsStore } from './reviews.store.js';

/** Why the system hid an entry (wss_store_entries.hidden_automatically). */
export type AutoHideReason = 'pending_review' | 'review_rejected' | 'no_active_account' | 'account_disabled' | 'capacity_full' | 'store_closed';

export const AUTO_HIDE_TEXT: Record<AutoHideReason, string> = {
  pending_review: '绑定已变更，待中央企微运营审核后展示',
  review_rejected: '中央企微运营审核未通过',
  no_active_account: '门店没有可用的企微账号',
  account_disabled: '企微账号已停用、未激活或已离职',
  capacity_full: '企微账号客户数已满，暂无可接待账号',
  store_closed: '门店已关店',
};

type ShowProblem = NonNullable<VisibilityChangeBody['skipped']>[number]['problem'];

const SHOW_PROBLEM_TEXT: Record<ShowProblem, string> = {
  store_closed: '门店已关店',
  no_active_account: '没有可用的企微账号（未绑定，或账号已停用、离职）',
};

/** Told after HQ's show committed, with the stores whose entry changed. Must not throw nor wait. */
export interface EntryShownListener {
  entryShown(storeIds: string[]): void;
}

export interface VisibilityInput {
  storeIds: string[];
  visible: boolean;
  reason?: string;
  /** Show what can be shown and list the rest (instead of refusing the whole request). */
  onlyEligible?: boolean;
}

export interface VisibilityApi extends StoresClosedListener {
  /**
   * Shows or hides entries, one or many, all or nothing. Showing needs an open store with an active
   * account WeCom has not reported disabled; otherwise 409 names each store and why — unless
   * `onlyEligible`, which shows the others and lists the skipped ones. Showing a store whose binding
   * waits for review approves that review.
   */
  setVisibility(actor: Actor, input: VisibilityInput): Promise<VisibilityChangeBody>;
  /**
   * Hides entries because of something the system saw (no active account, WeCom reports the account
   * disabled or left, capacity full, binding awaiting review), inside the caller's transaction.
   * Audited as the system. Returns the stores whose entry changed.
   */
  hideAutomatically(trx: Knex.Transaction, storeIds: string[], reason: AutoHideReason, detail?: string): Promise<string[]>;
  /** The entry row of one store as people see it (no row: hidden, version 0). */
  entryOf(storeId: string, knex?: Knex): Promise<EntryStateBody>;
}

/** What the review workflow uses inside its own transactions. */
export interface VisibilityInternals extends VisibilityApi {
  applyVisibility(trx: Knex.Transaction, by: Author, actor: Pick<Actor, 'branchScope'>, input: VisibilityInput): Promise<VisibilityChangeBody>;
  /** Tells the shown listeners, after the transaction that showed these stores committed. */
  announceShown(storeIds: string[]): void;
  /** Writes entry rows as a person (no audit row: the caller audits its own decision). */
  writeEntries(trx: Knex.Transaction, by: Author, writes: EntryWrite[]): Promise<void>;
}

const view = (e: Pick<EntryState, 'visible' | 'reason' | 'hiddenAutomatically'>) => ({
  visible: e.visible,
  reason: e.reason,
  hiddenAutomatically: e.hiddenAutomatically,
});

/**
 * Entry visibility. Only `entries:toggle` shows or hides by hand (the route checks it); the system
 * hides by itself when a store can no longer serve customers or its binding awaits review.
 */
export function createEntryVisibilityService(deps: { db: Knex; store: EntriesStore; reviews: ReviewsStore; shown: EntryShownListener[] }): VisibilityInternals {
  const { db, store, reviews } = deps;

  async function hideAutomatically(knex: Knex.Transaction, storeIds: string[], reason: AutoHideReason, detail?: string): Promise<string[]> {
    const states = await store.states(knex, storeIds, SYSTEM_SCOPE);
    const text = detail ?? AUTO_HIDE_TEXT[reason];
    const changed = [...states.values()].filter((s) => s.visible || s.hiddenAutomatically !== reason || s.reason !== text);
    const writes: EntryWrite[] = changed.map((s) => ({ storeId: s.storeId, visible: false, reason: text, hiddenAutomatically: reason }));
    await store.write(knex, writes, SYSTEM_AUTHOR);
    await writeAudit(
      knex,
      SYSTEM_AUTHOR,
      changed.map((s) => ({
        action: 'entry.auto_hide',
        entityType: 'store_entry',
        entityId: s.storeId,
        storeId: s.storeId,
        branchId: s.branchId,
        before: view(s),
        after: { visible: false, reason: text, hiddenAutomatically: reason },
        reason: text,
      })),
    );
    return changed.map((s) => s.storeId);
  }

  const problemOf = (s: EntryState): ShowProblem | null => (!s.isOpen ? 'store_closed' : s.usableAccounts === 0 ? 'no_active_account' : null);

  async function applyVisibility(trx: Knex.Transaction, by: Author, actor: Pick<Actor, 'branchScope'>, input: VisibilityInput): Promise<VisibilityChangeBody> {
    const storeIds = [...new Set(input.storeIds)];
    const all = await store.states(trx, storeIds, scopeOf(actor));
    const missing = storeIds.filter((id) => !all.has(id));
    if (missing.length) throw notFound(`门店不存在或不在您的管辖范围：${missing.slice(0, 10).join(', ')}`, 'store_not_found');
    let states = [...all.values()];
    const skipped: NonNullable<VisibilityChangeBody['skipped']> = [];
    if (input.visible) {
      const blocked = states.map((s) => ({ state: s, problem: problemOf(s) })).filter((b) => b.problem !== null);
      if (blocked.length && !input.onlyEligible) {
        throw conflict(`${blocked.length} 家门店不能展示入口（已关店或没有可用企微账号）`, 'entry_not_showable', {
          stores: blocked.map((b) => ({ storeId: b.state.storeId, problem: b.problem })),
        });
      }
      for (const b of blocked) skipped.push({ storeId: b.state.storeId, storeName: b.state.storeName, problem: b.problem!, message: SHOW_PROBLEM_TEXT[b.problem!] });
      states = states.filter((s) => problemOf(s) === null);
    }
    const reason = input.reason?.trim() || null;
    const changed = states.filter((s) => s.visible !== input.visible || (reason !== null && s.reason !== reason) || (input.visible && s.hiddenAutomatically));
    await store.write(trx, changed.map((s) => ({ storeId: s.storeId, visible: input.visible, reason, hiddenAutomatically: null })), by);
    const audit: AuditEntry[] = changed.map((s) => ({
      action: input.visible ? 'entry.show' : 'entry.hide',
      entityType: 'store_entry',
      entityId: s.storeId,
      storeId: s.storeId,
      branchId: s.branchId,
      before: view(s),
      after: { visible: input.visible, reason, hiddenAutomatically: null },
      reason,
    }));
    if (input.visible) {
      // Showing a store is HQ's word on its binding: a review waiting for it is approved with it.
      const approved = await reviews.approveShown(trx, by, states.map((s) => s.storeId), reason);
      for (const r of approved) {
        audit.push(reviewDecisionAudit(r, { action: 'review.approve', shown: true, reason }));
      }
    }
    await writeAudit(trx, by, audit);
    return { changed: changed.map((s) => s.storeId), unchanged: states.length - changed.length, ...(input.onlyEligible ? { skipped } : {}) };
  }

  function announceShown(storeIds: string[]) {
    if (storeIds.length) for (const listener of deps.shown) listener.entryShown(storeIds);
  }

  return {
    hideAutomatically,
    applyVisibility,
    announceShown,

    writeEntries: (trx, by, writes) => store.write(trx, writes, by),

    async storesClosed(trx, storeIds) {
      await hideAutomatically(trx, storeIds, 'store_closed');
    },

    async setVisibility(actor, input) {
      const result = await db.transaction((trx) => applyVisibility(trx, authorOf(actor), actor, input));
      if (input.visible) announceShown(result.changed);
      return result;
    },

    async entryOf(storeId, knex = db) {
      const row = await knex('wss_store_entries').where('store_id', storeId).first();
      return row
        ? {
            visible: row.visible as boolean,
            reason: row.reason as string | null,
            hiddenAutomatically: row.hidden_automatically as string | null,
            version: row.version as number,
            changedAt: row.changed_at ? new Date(row.changed_at).toISOString() : null,
            changedBy: row.changed_by as string,
          }
        : { visible: false, reason: null, hiddenAutomatically: null, version: 0, changedAt: null, changedBy: null };
    },
  };
}
