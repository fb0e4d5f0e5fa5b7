import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { InputError, conflict, forbidden, notFound } from '../core/errors.js';
import { SYSTEM_AUTHOR, authorOf } from '../core/audit.js';
import { SYSTEM_SCOPE, assertBranchInScope, scopeOf, type Scope } from '../access/scope.js';
import type {
  AccountCheckBody, BindingChangeBody, SharingBody, StoreDetailBody, StoreHistoryBody, StoreListBody,
} from '../contract/index.js';
import type { EntryVisibilityService } from '../entry-visibility/index.js';
import { PlanError, planChange, type BindingIntent, type PlannedChange } from './binding-plan.js';
import type { BindingWriter } from './binding-writer.js';
import type { AccountRow, BindingsStore, BoundElsewhere, StoreSnapshot } from './bindings.store.js';
import { boundPlace, disclosedBindings } from './disclosure.js';
import type { LiveCode, LiveCodes } from './live-codes.js';
import { ACTIVE_MEMBER_STATUS, MEMBER_STATUS_TEXT, type MemberLookup, type MemberLookupService } from './member-lookup.js';
import type { StoreListFilter } from './store-filter.js';
import { assessFill, capacityRefusal } from './capacity-check.js';
import type { CustomerCount, CustomerCounter } from './customer-counter.js';
import { LOCKS, xactLock } from '../core/locks.js';
import { SETTLE_MARGIN_MS, type ContactEventLedger } from '../wecom-callbacks/index.js';
import type { StoreAccountLookup } from './store-account.js';
import type { StoreAccountBody } from '../contract/index.js';

/** Told after a bind counted accounts' customers (the figure is stored): thresholds are checked as usual. */
export interface AccountsCountedListener {
  accountsCounted(accountIds: string[]): Promise<unknown>;
}

/** Told after the capacity failover moved a store's new customers to another account. */
export interface RoutingChangedListener {
  routingChanged(storeIds: string[]): void;
}

export interface AccountStatusReport {
  checked: number;
  changed: number;
  hidden: number;
}

/**
 * Store ↔ WeCom account bindings: bind, add backup, rebind, replace a full account, unbind. Every
 * change runs in one transaction with its audit rows, entry auto-hide and live-code update.
 */
export interface BindingsService {
  /** The stores in the actor's scope with their binding and entry status, a page at a time. */
  listStores(actor: Actor, filter: StoreListFilter): Promise<StoreListBody>;
  detail(actor: Actor, storeId: string): Promise<StoreDetailBody>;
  history(actor: Actor, storeId: string): Promise<StoreHistoryBody>;
  /** Binds as primary (store has none) or adds a backup. */
  /**
   * Binds as primary (store has none) or adds a backup. The account's customers are counted at once:
   * at/over the warning level it needs `confirm`, at/over the hard level it is refused (409).
   */
  bind(actor: Actor, storeId: string, input: { userid: string; role: 'primary' | 'backup'; reason?: string; confirm?: boolean }): Promise<BindingChangeBody>;
  /** The account becomes primary: `rebind` ends the old primary, `replace` keeps it as retired. Counted as bind. */
  setPrimary(actor: Actor, storeId: string, input: { userid: string; mode: 'rebind' | 'replace'; reason?: string; confirm?: boolean }): Promise<BindingChangeBody>;
  unbind(actor: Actor, storeId: string, userid: string, reason?: string): Promise<BindingChangeBody>;
  /** Live check for the bind dialog: does WeCom know the member, is it active, where is it bound. */
  checkAccount(actor: Actor, userid: string, storeId?: string): Promise<AccountCheckBody>;
  /** HQ (bindings:share) lets an account serve several stores, or stops allowing it. */
  setSharing(actor: Actor, userid: string, allowed: boolean): Promise<SharingBody>;
  liveCodeOf(storeId: string): Promise<LiveCode | null>;
  /**
   * For the capacity failover: new customers of the store go to `accountUserid` (an active primary
   * or backup of the store); null means no account has room and the entry hides itself.
   */
  routeNewCustomersTo(storeId: string, accountUserid: string | null, reason: string): Promise<{ storeId: string; routedTo: string | null }>;
  /**
   * Job `account-status-check`: asks WeCom for every bound account's status; an account reported
   * disabled, not activated or gone hides the entries of the stores whose new customers it takes.
   */
  refreshAccountStatuses(signal?: AbortSignal): Promise<AccountStatusReport>;
  /**
   * For the host's other features: the account serving the store now and its live code, cached per
   * process (a change made here is seen at once, one made by another process within seconds).
   * 404 `store_not_found` for a store the directory does not know.
   */
  storeAccount(storeId: string): Promise<StoreAccountBody>;
  /** The same, for an actor: 403 outside their branch scope. */
  storeAccountFor(actor: Actor, storeId: string): Promise<StoreAccountBody>;
}

export function memberProblem(member: MemberLookup): { code: 'unknown_userid' | 'inactive_userid'; message: string } | null {
  if (!member.found) return { code: 'unknown_userid', message: `企微账号 ${member.userid} 不存在` };
  if (member.status !== ACTIVE_MEMBER_STATUS) {
    return { code: 'inactive_userid', message: `企微账号 ${member.userid} ${MEMBER_STATUS_TEXT[member.status] ?? `状态 ${member.status}`}，不能绑定` };
  }
  return null;
}

export function createBindingsService(deps: {
  db: Knex;
  store: BindingsStore;
  writer: BindingWriter;
  entries: Pick<EntryVisibilityService, 'hideAutomatically' | 'entryOf'>;
  members: MemberLookupService;
  liveCodes: LiveCodes;
  routingChanged: RoutingChangedListener[];
  accountsCounted: AccountsCountedListener[];
  counter: CustomerCounter;
  contactEvents: ContactEventLedger;
  logger: Logger;
  storeAccounts: StoreAccountLookup;
}): BindingsService {
  const { db, store, writer, entries, members, liveCodes, counter, logger } = deps;

  /** The store in scope (locked when asked): 404 when unknown, 403 when outside scope. */
  async function scopedStore(knex: Knex, scope: Scope, storeId: string, lock = false): Promise<StoreSnapshot> {
    const snapshot = (await store.snapshots(knex, scope, [storeId], { lock })).get(storeId);
    if (snapshot) return snapshot;
    if ((await store.storeBranches(knex, [storeId])).has(storeId)) {
      throw forbidden(`门店 ${storeId} 不在您的管辖范围 (store outside your branch scope)`, 'branch_out_of_scope');
    }
    throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
  }

  /** WeCom's count corrected by the account's callbacks stored or applied around the list call. */
  async function settledCount(trx: Knex.Transaction, userid: string, customers: CustomerCount): Promise<number> {
    const since = new Date(customers.askedAt.getTime() - SETTLE_MARGIN_MS);
    const counts = await deps.contactEvents.settleListedCounts(trx, { accounts: [{ userid, listed: customers.listed }], since });
    return counts.get(userid) ?? customers.count;
  }

  /** 409 when the account serves another store and HQ has not allowed sharing it. */
  function assertNotBoundElsewhere(scope: Scope, account: AccountRow, storeId: string, elsewhere: BoundElsewhere[]) {
    const others = elsewhere.filter((b) => b.storeId !== storeId);
    if (!others.length || account.sharingAllowed) return;
    const { visible, outsideScope } = disclosedBindings(scope, others);
    throw conflict(
      `企微账号 ${account.userid} 已绑定${boundPlace(scope, visible[0] ?? others[0])}`,
      'account_bound_elsewhere',
      { stores: visible.map((o) => ({ storeId: o.storeId, storeName: o.storeName, role: o.role })), outsideScope },
    );
  }

  async function change(actor: Actor, storeId: string, userid: string, intent: BindingIntent, opts: { reason?: string; confirm?: boolean } = {}): Promise<BindingChangeBody> {
    let member: MemberLookup | null = null;
    let customers: CustomerCount | null = null;
    if (intent.kind !== 'unbind') {
      member = await members.lookup(userid);
      const problem = memberProblem(member);
      if (problem) throw new InputError(problem.message, { userid: problem.message }, problem.code);
      customers = await counter.count(userid);
    }
    const counted: string[] = [];
    const result = await writer.withEffects(async (trx, effects) => {
      const snapshot = await scopedStore(trx, scopeOf(actor), storeId, true);
      let account: AccountRow | undefined;
      // The lock callbacks apply under, taken before the account row (their order): WeCom's count is
      // then netted out against callbacks stored but not yet applied, as the capacity sync does.
      if (customers) await xactLock(trx, LOCKS.account(userid));
      if (member?.found) {
        if (!snapshot.isOpen) throw conflict(`门店 ${storeId} 已关店，不能绑定`, 'store_closed');
        account = (await store.upsertAccounts(trx, [member])).get(userid)!;
        await store.lockAccounts(trx, [account.id]);
        assertNotBoundElsewhere(scopeOf(actor), account, storeId, await store.boundElsewhere(trx, [userid]));
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
      const takesCustomers = plan.inserts.some((i) => i.userid === userid && i.role !== 'retired');
      if (customers && account && plan.action !== 'unchanged' && takesCustomers) {
        const count = await settledCount(trx, userid, customers);
        const fill = assessFill(count, await store.capacityLimit(trx, account.id), counter.levels, customers.at);
        const refusal = capacityRefusal(account, fill, opts.confirm === true);
        if (refusal) throw refusal;
        await store.recordCount(trx, account.id, count);
        counted.push(account.id);
      }
      await writer.applyPlans(trx, authorOf(actor), [plan], effects, opts.reason);
      return { action: plan.action, before: plan.before, after: plan.after };
    });
    for (const listener of counted.length ? deps.accountsCounted : []) {
      // The bind is done; a failed threshold check is retried by the next count (sync or callback).
      await Promise.resolve(listener.accountsCounted(counted)).catch((error: unknown) => logger.warn('threshold check after bind failed', { error: (error as Error).message }));
    }
    return result;
  }

  return {
    async listStores(actor, filter) {
      const scope = scopeOf(actor);
      if (filter.branchId) {
        assertBranchInScope(scope, filter.branchId);
        if (!(await store.branchExists(db, filter.branchId))) throw notFound(`分公司 ${filter.branchId} 不存在`, 'branch_not_found');
      }
      return { ...(await store.listStores(db, scope, filter)), page: filter.page, pageSize: filter.pageSize };
    },

    bind: (actor, storeId, input) => change(actor, storeId, input.userid, { kind: 'add', role: input.role }, input),

    setPrimary: (actor, storeId, input) => change(actor, storeId, input.userid, { kind: input.mode }, input),

    unbind: (actor, storeId, userid, reason) => change(actor, storeId, userid, { kind: 'unbind' }, { reason }),

    async checkAccount(actor, userid, storeId) {
      const scope = scopeOf(actor);
      const member = await members.lookup(userid);
      const problem = memberProblem(member);
      const bound = member.found ? await store.boundElsewhere(db, [userid]) : [];
      const sharing = member.found ? (await store.sharingOf(db, [userid])).has(userid) : false;
      const others = bound.filter((b) => b.storeId !== storeId);
      let capacity: AccountCheckBody['capacity'] = null;
      if (!problem && member.found) {
        const counted = await counter.peek(userid).catch(() => null);
        const limit = counted ? await store.capacityLimitOf(db, userid) : null;
        if (counted && limit) capacity = assessFill(counted.count, limit, counter.levels, counted.at);
      }
      const full = member.found && capacity?.level === 'full' ? capacityRefusal({ userid, name: member.name }, capacity, true) : null;
      return {
        userid,
        found: member.found,
        name: member.found ? member.name : null,
        status: member.found ? member.status : null,
        statusText: member.found ? (MEMBER_STATUS_TEXT[member.status] ?? String(member.status)) : null,
        boundTo: disclosedBindings(scope, bound).visible.map(({ branchId: _branch, ...b }) => b),
        boundOutsideScope: disclosedBindings(scope, bound).outsideScope > 0,
        sharingAllowed: sharing,
        problem: problem?.code ?? (others.length && !sharing ? 'account_bound_elsewhere' : null) ?? full?.code ?? null,
        message: problem?.message ?? (others.length && !sharing ? `已绑定${boundPlace(scope, disclosedBindings(scope, others).visible[0] ?? others[0])}` : null) ?? full?.message ?? null,
        canBind: !problem && (!others.length || sharing) && !full,
        capacity,
      };
    },

    async detail(actor, storeId) {
      const snapshot = await scopedStore(db, scopeOf(actor), storeId);
      const [entry, liveCode] = await Promise.all([entries.entryOf(storeId), liveCodes.get(db, storeId)]);
      return {
        store: { id: snapshot.id, name: snapshot.name, branchId: snapshot.branchId, isOpen: snapshot.isOpen },
        bindings: snapshot.bindings.map((b) => ({ userid: b.userid, name: b.name, role: b.role, boundAt: b.boundAt.toISOString() })),
        entry,
        liveCode,
      };
    },

    async history(actor, storeId) {
      await scopedStore(db, scopeOf(actor), storeId);
      const [bindings, audit] = await Promise.all([store.bindingHistory(db, storeId), store.auditOfStore(db, storeId, 200)]);
      return { storeId, bindings, audit };
    },

    async setSharing(actor, userid, allowed) {
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

    liveCodeOf: (storeId) => liveCodes.get(db, storeId),

    async storeAccount(storeId) {
      const found = await deps.storeAccounts.get(storeId);
      if (!found) throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
      return found.body;
    },

    async storeAccountFor(actor, storeId) {
      const found = await deps.storeAccounts.get(storeId);
      if (!found) throw notFound(`门店 ${storeId} 不存在`, 'store_not_found');
      assertBranchInScope(scopeOf(actor), found.branchId);
      return found.body;
    },

    async routeNewCustomersTo(storeId, accountUserid, reason) {
      const routed = await writer.withEffects(async (trx, effects) => {
        const snapshot = await scopedStore(trx, SYSTEM_SCOPE, storeId, true);
        if (accountUserid === null) {
          await entries.hideAutomatically(trx, [storeId], 'capacity_full');
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
      if (accountUserid) for (const listener of deps.routingChanged) listener.routingChanged([storeId]);
      return routed;
    },

    async refreshAccountStatuses(signal) {
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
          hidden += (await entries.hideAutomatically(trx, stores, 'account_disabled', detail)).length;
        });
      }
      return { checked: accounts.length, changed, hidden };
    },
  };
}
