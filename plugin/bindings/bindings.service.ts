import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../logger.js';
import { InputError, conflict, forbidden, notFound } from '../http/errors.js';
import type { EntriesService } from '../entries/entries.service.js';
import { PlanError, planChange, type BindingIntent, type PlannedChange } from './binding-plan.js';
import type { AccountRow, Author, BindingsStore, StoreSnapshot } from './bindings.store.js';
import { SYSTEM_AUTHOR } from './bindings.store.js';
import { newEffects, type LiveCodes, type WecomEffects } from './live-codes.js';
import { ACTIVE_MEMBER_STATUS, MEMBER_STATUS_TEXT, type MemberLookup, type MemberLookupService } from './member-lookup.js';

const authorOf = (actor: Actor): Author => ({ id: actor.id, name: actor.name });

export function memberProblem(member: MemberLookup): { code: 'unknown_userid' | 'inactive_userid'; message: string } | null {
  if (!member.found) return { code: 'unknown_userid', message: `企微账号 ${member.userid} 不存在` };
  if (member.status !== ACTIVE_MEMBER_STATUS) {
    return { code: 'inactive_userid', message: `企微账号 ${member.userid} ${MEMBER_STATUS_TEXT[member.status] ?? `状态 ${member.status}`}，不能绑定` };
  }
  return null;
}

/**
 * Store ↔ WeCom account bindings: bind, add backup, rebind, replace a full account, unbind. Every
 * change runs in one transaction with its audit rows, entry auto-hide and live-code update.
 */
export function createBindingsService(deps: {
  db: Knex;
  store: BindingsStore;
  entries: EntriesService;
  members: MemberLookupService;
  liveCodes: LiveCodes;
  logger: Logger;
}) {
  const { db, store, entries, members, liveCodes, logger } = deps;

  /** Runs a transaction whose WeCom effects are undone when it fails and finished when it commits. */
  async function withEffects<T>(fn: (trx: Knex.Transaction, effects: WecomEffects) => Promise<T>): Promise<T> {
    const effects = newEffects();
    let result: T;
    try {
      result = await db.transaction((trx) => fn(trx, effects));
    } catch (error) {
      await liveCodes.undo(effects);
      throw error;
    }
    await liveCodes.afterCommit(effects);
    return result;
  }

  /** The store in the actor's scope (locked when asked): 404 when unknown, 403 when outside scope. */
  async function scopedStore(knex: Knex, actor: Actor, storeId: string, lock = false): Promise<StoreSnapshot> {
    const snapshot = (await store.snapshots(knex, actor, [storeId], { lock })).get(storeId);
    if (snapshot) return snapshot;
    if ((await store.storeBranches(knex, [storeId])).has(storeId)) {
      throw forbidden(`门店 ${storeId} 不在您的管辖范围 (store outside your branch scope)`, 'branch_out_of_scope');
    }
    throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
  }

  /** Writes planned changes: bindings, live codes, entry auto-hide, audit — inside the caller's transaction. */
  async function applyPlans(
    trx: Knex.Transaction,
    by: Author,
    plans: PlannedChange[],
    effects: WecomEffects,
    reason?: string | null,
    onProgress?: (done: number, total: number) => void,
  ) {
    const changed = plans.filter((p) => p.action !== 'unchanged');
    if (!changed.length) return changed;
    await store.endBindings(trx, changed.flatMap((p) => p.ends), by);
    await store.insertBindings(trx, changed.flatMap((p) => p.inserts.map((i) => ({ storeId: p.storeId, accountId: i.accountId, role: i.role }))), by);
    const last = new Map<string, PlannedChange>();
    const review = new Set<string>();
    for (const p of changed) {
      last.set(p.storeId, p);
      if (p.needsReview) review.add(p.storeId);
    }
    const storeIds = [...last.keys()];
    await liveCodes.syncStores(trx, storeIds, new Set(changed.filter((p) => p.primaryChanged).map((p) => p.storeId)), effects, onProgress);
    const empty = storeIds.filter((id) => last.get(id)!.leavesNoActiveAccount);
    await entries.hideEntriesAutomatically(trx, empty, 'no_active_account');
    await entries.hideEntriesAutomatically(trx, storeIds.filter((id) => review.has(id) && !last.get(id)!.leavesNoActiveAccount), 'pending_review');
    await store.insertAudit(
      trx,
      by,
      changed.map((p) => ({
        action: `binding.${p.action}`,
        entityType: 'store_binding',
        entityId: `${p.storeId}:${p.userid}`,
        storeId: p.storeId,
        branchId: p.branchId,
        before: p.before,
        after: p.after,
        reason: reason ?? null,
      })),
    );
    return changed;
  }

  /** 409 when the account serves another store and HQ has not allowed sharing it. */
  function assertNotBoundElsewhere(account: AccountRow, storeId: string, elsewhere: { storeId: string; storeName: string; role: string }[]) {
    const others = elsewhere.filter((b) => b.storeId !== storeId);
    if (!others.length || account.sharingAllowed) return;
    const first = others[0];
    throw conflict(
      `企微账号 ${account.userid} 已绑定门店 ${first.storeId}（${first.storeName}）`,
      'account_bound_elsewhere',
      { stores: others.map((o) => ({ storeId: o.storeId, storeName: o.storeName, role: o.role })) },
    );
  }

  async function change(actor: Actor, storeId: string, userid: string, intent: BindingIntent, reason?: string) {
    let member: MemberLookup | null = null;
    if (intent.kind !== 'unbind') {
      member = await members.lookup(userid);
      const problem = memberProblem(member);
      if (problem) throw new InputError(problem.message, { userid: problem.message }, problem.code);
    }
    const by = authorOf(actor);
    return withEffects(async (trx, effects) => {
      const snapshot = await scopedStore(trx, actor, storeId, true);
      let account: AccountRow | undefined;
      if (member?.found) {
        if (!snapshot.isOpen) throw conflict(`门店 ${storeId} 已关店，不能绑定`, 'store_closed');
        account = (await store.upsertAccounts(trx, [member])).get(userid)!;
        await store.lockAccounts(trx, [account.id]);
        assertNotBoundElsewhere(account, storeId, await store.boundElsewhere(trx, [userid]));
      } else {
        const bound = snapshot.bindings.find((b) => b.userid === userid);
        account = bound ? { id: bound.accountId, userid, name: bound.name, sharingAllowed: false } : undefined;
      }
      let plan: PlannedChange;
      try {
        plan = planChange(snapshot, { userid, accountId: account?.id ?? '' }, intent);
      } catch (error) {
        if (!(error instanceof PlanError)) throw error;
        throw error.code === 'not_bound' ? notFound(error.message, error.code) : conflict(error.message, error.code);
      }
      await applyPlans(trx, by, [plan], effects, reason);
      return { action: plan.action, before: plan.before, after: plan.after };
    });
  }

  return {
    applyPlans,
    withEffects,
    scopedStore,

    /** Binds as primary (store has none) or adds a backup. */
    bind: (actor: Actor, storeId: string, input: { userid: string; role: 'primary' | 'backup'; reason?: string }) =>
      change(actor, storeId, input.userid, { kind: 'add', role: input.role }, input.reason),

    /** The account becomes primary: `rebind` ends the old primary, `replace` keeps it as retired. */
    setPrimary: (actor: Actor, storeId: string, input: { userid: string; mode: 'rebind' | 'replace'; reason?: string }) =>
      change(actor, storeId, input.userid, { kind: input.mode }, input.reason),

    unbind: (actor: Actor, storeId: string, userid: string, reason?: string) => change(actor, storeId, userid, { kind: 'unbind' }, reason),

    /** Live check for the bind dialog: does WeCom know the member, is it active, where is it bound. */
    async checkAccount(actor: Actor, userid: string, storeId?: string) {
      const member = await members.lookup(userid);
      const problem = memberProblem(member);
      const bound = member.found ? await store.boundElsewhere(db, [userid]) : [];
      const sharing = member.found ? Boolean((await db('wss_wecom_accounts').where({ userid }).first('sharing_allowed'))?.sharing_allowed) : false;
      const others = bound.filter((b) => b.storeId !== storeId);
      return {
        userid,
        found: member.found,
        name: member.found ? member.name : null,
        status: member.found ? member.status : null,
        statusText: member.found ? (MEMBER_STATUS_TEXT[member.status] ?? String(member.status)) : null,
        boundTo: bound,
        sharingAllowed: sharing,
        problem: problem?.code ?? (others.length && !sharing ? 'account_bound_elsewhere' : null),
        message: problem?.message ?? (others.length && !sharing ? `已绑定门店 ${others[0].storeId}（${others[0].storeName}）` : null),
        canBind: !problem && (!others.length || sharing),
      };
    },

    async detail(actor: Actor, storeId: string) {
      const snapshot = await scopedStore(db, actor, storeId);
      const [entry, liveCode] = await Promise.all([entries.getEntry(storeId), liveCodes.get(db, storeId)]);
      return {
        store: { id: snapshot.id, name: snapshot.name, branchId: snapshot.branchId, isOpen: snapshot.isOpen },
        bindings: snapshot.bindings.map((b) => ({ userid: b.userid, name: b.name, role: b.role, boundAt: b.boundAt })),
        entry,
        liveCode,
      };
    },

    async history(actor: Actor, storeId: string) {
      await scopedStore(db, actor, storeId);
      const [bindings, audit] = await Promise.all([store.bindingHistory(db, storeId), store.auditOfStore(db, storeId, 200)]);
      return { storeId, bindings, audit };
    },

    /** HQ (bindings:share) lets an account serve several stores, or stops allowing it. */
    async setSharing(actor: Actor, userid: string, allowed: boolean) {
      return db.transaction(async (trx) => {
        const before = await store.setSharing(trx, userid, allowed);
        if (before === null) throw notFound(`企微账号 ${userid} 尚未登记（先绑定一次）`, 'account_not_found');
        if (before !== allowed) {
          await store.insertAudit(trx, authorOf(actor), [
            { action: 'account.sharing', entityType: 'wecom_account', entityId: userid, before: { sharingAllowed: before }, after: { sharingAllowed: allowed } },
          ]);
        }
        return { userid, sharingAllowed: allowed };
      });
    },

    getLiveCode: (storeId: string) => liveCodes.get(db, storeId),

    /** See EntriesService.hideEntryAutomatically; here too so other features need only this service. */
    hideEntryAutomatically: entries.hideEntryAutomatically,

    /**
     * For the capacity failover: new customers of the store go to `accountUserid` (an active primary
     * or backup of the store); null means no account has room and the entry hides itself.
     */
    async routeNewCustomersTo(storeId: string, accountUserid: string | null, reason: string) {
      return withEffects(async (trx, effects) => {
        const snapshot = (await store.snapshots(trx, { id: 'system', name: 'system', permissions: [], branchScope: 'all' }, [storeId], { lock: true })).get(storeId);
        if (!snapshot) throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
        if (accountUserid === null) {
          await entries.hideEntryAutomatically(storeId, 'capacity_full', trx);
          return { storeId, routedTo: null };
        }
        const target = snapshot.bindings.find((b) => b.userid === accountUserid && b.role !== 'retired');
        if (!target) throw conflict(`企微账号 ${accountUserid} 不是门店 ${storeId} 的在用账号`, 'account_not_bound');
        const current = await liveCodes.get(trx, storeId);
        const outcome = await liveCodes.route(trx, storeId, snapshot.name, accountUserid, current, effects);
        if (outcome !== 'unchanged') {
          await store.insertAudit(trx, SYSTEM_AUTHOR, [
            {
              action: 'live_code.route',
              entityType: 'store_live_code',
              entityId: storeId,
              storeId,
              branchId: snapshot.branchId,
              before: { accountUserids: current?.accountUserids ?? [] },
              after: { accountUserids: [accountUserid] },
              reason,
            },
          ]);
        }
        return { storeId, routedTo: accountUserid };
      });
    },

    /**
     * Job: asks WeCom for every bound account's status; an account reported disabled, not activated
     * or gone hides the entries of the stores whose new customers it takes.
     */
    async refreshAccountStatuses(signal?: AbortSignal) {
      const accounts = await store.boundAccounts(db);
      let changed = 0;
      let hidden = 0;
      for (const account of accounts) {
        if (signal?.aborted) throw new Error('account status check aborted');
        members.forget(account.userid);
        let member: MemberLookup;
        try {
          member = await members.lookup(account.userid);
        } catch (error) {
          logger.warn('account status check: WeCom unavailable', { userid: account.userid, error: (error as Error).message });
          continue;
        }
        const status = member.found ? member.status : 5;
        if (status === account.status) continue;
        changed += 1;
        await db.transaction(async (trx) => {
          await store.setAccountStatus(trx, account.userid, status, member.found ? member.name : undefined);
          if (status === ACTIVE_MEMBER_STATUS) return;
          const stores = await store.storesServedBy(trx, account.userid);
          const detail = `企微账号 ${account.userid} ${member.found ? (MEMBER_STATUS_TEXT[status] ?? status) : '已不存在'}`;
          for (const storeId of stores) {
            if (await entries.hideEntryAutomatically(storeId, 'account_disabled', trx, detail)) hidden += 1;
          }
        });
      }
      return { checked: accounts.length, changed, hidden };
    },
  };
}

export type BindingsService = ReturnType<typeof createBindingsService>;
