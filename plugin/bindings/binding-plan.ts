import type { ActiveBinding, BindingRole, StoreSnapshot } from './bindings.store.js';

/**
 * What the caller wants for one store × account:
 * - add: bind as primary (store has none) or as backup;
 * - rebind: the account becomes primary, the old primary's binding ends;
 * - replace: the account becomes primary, the old (full) primary is kept as retired;
 * - set: import rows — primary rebinds when another primary exists, backup adds;
 * - unbind: the account's binding at the store ends.
 */
export type BindingIntent =
  | { kind: 'add'; role: 'primary' | 'backup' }
  | { kind: 'set'; role: 'primary' | 'backup' }
  | { kind: 'rebind' }
  | { kind: 'replace' }
  | { kind: 'unbind' };

export type PlanAction = 'bind' | 'add_backup' | 'promote' | 'rebind' | 'replace' | 'unbind' | 'unchanged';

export interface BindingView {
  primary: string | null;
  backups: string[];
  retired: string[];
}

export interface PlannedChange {
  storeId: string;
  branchId: string;
  userid: string;
  action: PlanAction;
  ends: { id: string; reason: string }[];
  /** New rows: for the intent's account, and the retired row of a replaced primary. */
  inserts: { userid: string; accountId: string; role: BindingRole }[];
  primaryChanged: boolean;
  /** The store gains an account or changes its primary: its entry must wait for HQ review. */
  needsReview: boolean;
  /** No primary or backup remains. */
  leavesNoActiveAccount: boolean;
  before: BindingView;
  after: BindingView;
}

/** A rule the change breaks; the service maps it to 404 / 409. */
export class PlanError extends Error {
  constructor(
    readonly code: 'primary_exists' | 'already_primary' | 'no_primary' | 'not_bound',
    message: string,
  ) {
    super(message);
  }
}

export function viewOf(bindings: Pick<ActiveBinding, 'userid' | 'role'>[]): BindingView {
  return {
    primary: bindings.find((b) => b.role === 'primary')?.userid ?? null,
    backups: bindings.filter((b) => b.role === 'backup').map((b) => b.userid),
    retired: bindings.filter((b) => b.role === 'retired').map((b) => b.userid),
  };
}

/** Plans one change against the store's current active bindings (pure). */
export function planChange(store: StoreSnapshot, account: { userid: string; accountId: string }, intent: BindingIntent): PlannedChange {
  const current = store.bindings.find((b) => b.userid === account.userid);
  const primary = store.bindings.find((b) => b.role === 'primary');
  const ends: PlannedChange['ends'] = [];
  const inserts: PlannedChange['inserts'] = [];
  let action: PlanAction;

  const becomePrimary = (how: 'rebind' | 'replace') => {
    if (current?.role === 'primary') return 'unchanged' as const;
    if (how === 'replace' && !primary) throw new PlanError('no_primary', `门店 ${store.id} 没有主账号可替换`);
    if (primary) {
      ends.push({ id: primary.id, reason: how === 'rebind' ? 'rebound' : 'replaced' });
      if (how === 'replace') inserts.push({ userid: primary.userid, accountId: primary.accountId, role: 'retired' });
    }
    if (current) ends.push({ id: current.id, reason: 'promoted' });
    inserts.push({ userid: account.userid, accountId: account.accountId, role: 'primary' });
    return primary ? how : current ? ('promote' as const) : ('bind' as const);
  };

  const intentKind = intent.kind === 'set' ? (intent.role === 'primary' ? (primary ? 'rebind' : 'add') : 'add') : intent.kind;
  const role = intent.kind === 'add' || intent.kind === 'set' ? intent.role : 'primary';

  if (intentKind === 'unbind') {
    if (!current) throw new PlanError('not_bound', `企微账号 ${account.userid} 未绑定门店 ${store.id}`);
    ends.push({ id: current.id, reason: 'unbound' });
    action = 'unbind';
  } else if (intentKind === 'rebind' || intentKind === 'replace') {
    action = becomePrimary(intentKind);
  } else if (role === 'primary') {
    if (current?.role === 'primary') action = 'unchanged';
    else if (primary) throw new PlanError('primary_exists', `门店 ${store.id} 已有主账号 ${primary.userid}，请使用“更换”或“替换”`);
    else action = becomePrimary('rebind');
  } else {
    if (current?.role === 'backup') action = 'unchanged';
    else if (current?.role === 'primary') throw new PlanError('already_primary', `企微账号 ${account.userid} 已是门店 ${store.id} 的主账号`);
    else {
      if (current) ends.push({ id: current.id, reason: 'reactivated' });
      inserts.push({ userid: account.userid, accountId: account.accountId, role: 'backup' });
      action = 'add_backup';
    }
  }

  const endedIds = new Set(ends.map((e) => e.id));
  const afterBindings = [
    ...store.bindings.filter((b) => !endedIds.has(b.id)),
    ...inserts.map((i) => ({ userid: i.userid, role: i.role })),
  ];
  const before = viewOf(store.bindings);
  const after = viewOf(afterBindings);
  const leavesNoActiveAccount = !after.primary && after.backups.length === 0;
  const primaryChanged = before.primary !== after.primary;
  return {
    storeId: store.id,
    branchId: store.branchId,
    userid: account.userid,
    action,
    ends,
    inserts,
    primaryChanged,
    needsReview: action !== 'unchanged' && !leavesNoActiveAccount && (action !== 'unbind' || primaryChanged),
    leavesNoActiveAccount: action !== 'unchanged' && leavesNoActiveAccount,
    before,
    after,
  };
}

/** Applies a plan to the in-memory snapshot, so the next row of an import sees it. */
export function applyToSnapshot(store: StoreSnapshot, change: PlannedChange): void {
  const endedIds = new Set(change.ends.map((e) => e.id));
  store.bindings = store.bindings.filter((b) => !endedIds.has(b.id));
  for (const insert of change.inserts) {
    store.bindings.push({ id: `new:${insert.userid}:${insert.role}`, accountId: insert.accountId, userid: insert.userid, name: '', role: insert.role, boundAt: new Date() });
  }
}
