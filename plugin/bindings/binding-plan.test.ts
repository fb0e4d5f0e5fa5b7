import { describe, expect, it } from 'vitest';
import { applyToSnapshot, planChange, PlanError, viewOf, type BindingIntent } from './binding-plan.js';
import type { ActiveBinding, BindingRole, StoreSnapshot } from './bindings.store.js';

const binding = (userid: string, role: BindingRole): ActiveBinding => ({
  id: `row-${userid}`,
  accountId: `acc-${userid}`,
  userid,
  name: userid,
  role,
  boundAt: new Date('2024-01-01T00:00:00Z'),
});

const store = (...bindings: ActiveBinding[]): StoreSnapshot => ({ id: 'S1', name: '一号店', branchId: 'B1', isOpen: true, bindings });
const account = (userid: string) => ({ userid, accountId: `acc-${userid}` });

const planError = (fn: () => unknown): PlanError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PlanError);
    return error as PlanError;
  }
  throw new Error('expected a PlanError');
};

describe('viewOf', () => {
  it('splits bindings into primary, backups and retired', () => {
    expect(viewOf([binding('r', 'retired'), binding('b1', 'backup'), binding('p', 'primary'), binding('b2', 'backup')])).toEqual({
      primary: 'p',
      backups: ['b1', 'b2'],
      retired: ['r'],
    });
    expect(viewOf([])).toEqual({ primary: null, backups: [], retired: [] });
  });
});

describe('planChange: add', () => {
  it('binds a primary to a store that has none and needs review', () => {
    const plan = planChange(store(), account('p'), { kind: 'add', role: 'primary' });
    expect(plan.action).toBe('bind');
    expect(plan.ends).toEqual([]);
    expect(plan.inserts).toEqual([{ userid: 'p', accountId: 'acc-p', role: 'primary' }]);
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(true);
    expect(plan.leavesNoActiveAccount).toBe(false);
    expect(plan.before).toEqual({ primary: null, backups: [], retired: [] });
    expect(plan.after).toEqual({ primary: 'p', backups: [], retired: [] });
    expect(plan.storeId).toBe('S1');
    expect(plan.branchId).toBe('B1');
    expect(plan.userid).toBe('p');
  });

  it('refuses a second primary with primary_exists', () => {
    const error = planError(() => planChange(store(binding('p', 'primary')), account('q'), { kind: 'add', role: 'primary' }));
    expect(error.code).toBe('primary_exists');
    expect(error.message).toContain('p');
  });

  it('adding the current primary as primary again is unchanged and needs no review', () => {
    const plan = planChange(store(binding('p', 'primary')), account('p'), { kind: 'add', role: 'primary' });
    expect(plan.action).toBe('unchanged');
    expect(plan.ends).toEqual([]);
    expect(plan.inserts).toEqual([]);
    expect(plan.needsReview).toBe(false);
    expect(plan.primaryChanged).toBe(false);
    expect(plan.after).toEqual(plan.before);
  });

  it('adds a backup beside the primary and needs review', () => {
    const plan = planChange(store(binding('p', 'primary')), account('b'), { kind: 'add', role: 'backup' });
    expect(plan.action).toBe('add_backup');
    expect(plan.ends).toEqual([]);
    expect(plan.inserts).toEqual([{ userid: 'b', accountId: 'acc-b', role: 'backup' }]);
    expect(plan.primaryChanged).toBe(false);
    expect(plan.needsReview).toBe(true);
    expect(plan.after).toEqual({ primary: 'p', backups: ['b'], retired: [] });
  });

  it('adds a backup to a store without a primary', () => {
    const plan = planChange(store(), account('b'), { kind: 'add', role: 'backup' });
    expect(plan.action).toBe('add_backup');
    expect(plan.after).toEqual({ primary: null, backups: ['b'], retired: [] });
    expect(plan.leavesNoActiveAccount).toBe(false);
    expect(plan.needsReview).toBe(true);
  });

  it('an existing backup added as backup again is unchanged', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup')), account('b'), { kind: 'add', role: 'backup' });
    expect(plan.action).toBe('unchanged');
    expect(plan.ends).toEqual([]);
    expect(plan.inserts).toEqual([]);
    expect(plan.needsReview).toBe(false);
  });

  it('refuses to make the primary a backup with already_primary', () => {
    const error = planError(() => planChange(store(binding('p', 'primary')), account('p'), { kind: 'add', role: 'backup' }));
    expect(error.code).toBe('already_primary');
  });

  it('reactivates a retired account as backup: its retired row ends', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('old', 'retired')), account('old'), { kind: 'add', role: 'backup' });
    expect(plan.action).toBe('add_backup');
    expect(plan.ends).toEqual([{ id: 'row-old', reason: 'reactivated' }]);
    expect(plan.inserts).toEqual([{ userid: 'old', accountId: 'acc-old', role: 'backup' }]);
    expect(plan.before.retired).toEqual(['old']);
    expect(plan.after).toEqual({ primary: 'p', backups: ['old'], retired: [] });
  });

  it('add primary promotes a backup of a store that has no primary', () => {
    const plan = planChange(store(binding('b', 'backup')), account('b'), { kind: 'add', role: 'primary' });
    expect(plan.action).toBe('promote');
    expect(plan.ends).toEqual([{ id: 'row-b', reason: 'promoted' }]);
    expect(plan.inserts).toEqual([{ userid: 'b', accountId: 'acc-b', role: 'primary' }]);
    expect(plan.after).toEqual({ primary: 'b', backups: [], retired: [] });
    expect(plan.primaryChanged).toBe(true);
  });
});

describe('planChange: set (import rows)', () => {
  it('primary with no existing primary binds', () => {
    const plan = planChange(store(), account('p'), { kind: 'set', role: 'primary' });
    expect(plan.action).toBe('bind');
    expect(plan.after.primary).toBe('p');
  });

  it('primary with another primary rebinds instead of failing', () => {
    const plan = planChange(store(binding('p', 'primary')), account('q'), { kind: 'set', role: 'primary' });
    expect(plan.action).toBe('rebind');
    expect(plan.ends).toEqual([{ id: 'row-p', reason: 'rebound' }]);
    expect(plan.inserts).toEqual([{ userid: 'q', accountId: 'acc-q', role: 'primary' }]);
    expect(plan.after).toEqual({ primary: 'q', backups: [], retired: [] });
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(true);
  });

  it('primary for the same primary is unchanged', () => {
    const plan = planChange(store(binding('p', 'primary')), account('p'), { kind: 'set', role: 'primary' });
    expect(plan.action).toBe('unchanged');
    expect(plan.needsReview).toBe(false);
  });

  it('backup adds a backup', () => {
    const plan = planChange(store(binding('p', 'primary')), account('b'), { kind: 'set', role: 'backup' });
    expect(plan.action).toBe('add_backup');
    expect(plan.after.backups).toEqual(['b']);
  });

  it('backup for the primary is already_primary', () => {
    expect(planError(() => planChange(store(binding('p', 'primary')), account('p'), { kind: 'set', role: 'backup' })).code).toBe('already_primary');
  });
});

describe('planChange: rebind', () => {
  it('ends the old primary and binds the new one', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup')), account('q'), { kind: 'rebind' });
    expect(plan.action).toBe('rebind');
    expect(plan.ends).toEqual([{ id: 'row-p', reason: 'rebound' }]);
    expect(plan.inserts).toEqual([{ userid: 'q', accountId: 'acc-q', role: 'primary' }]);
    expect(plan.before).toEqual({ primary: 'p', backups: ['b'], retired: [] });
    expect(plan.after).toEqual({ primary: 'q', backups: ['b'], retired: [] });
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(true);
  });

  it('promotes a backup over the old primary: both old rows end', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup')), account('b'), { kind: 'rebind' });
    expect(plan.action).toBe('rebind');
    expect(plan.ends).toEqual([
      { id: 'row-p', reason: 'rebound' },
      { id: 'row-b', reason: 'promoted' },
    ]);
    expect(plan.inserts).toEqual([{ userid: 'b', accountId: 'acc-b', role: 'primary' }]);
    expect(plan.after).toEqual({ primary: 'b', backups: [], retired: [] });
  });

  it('rebinding a store with no primary binds', () => {
    const plan = planChange(store(), account('q'), { kind: 'rebind' });
    expect(plan.action).toBe('bind');
    expect(plan.ends).toEqual([]);
  });

  it('rebinding the current primary is unchanged', () => {
    const plan = planChange(store(binding('p', 'primary')), account('p'), { kind: 'rebind' });
    expect(plan.action).toBe('unchanged');
    expect(plan.ends).toEqual([]);
    expect(plan.inserts).toEqual([]);
    expect(plan.primaryChanged).toBe(false);
    expect(plan.needsReview).toBe(false);
    expect(plan.leavesNoActiveAccount).toBe(false);
  });
});

describe('planChange: replace', () => {
  it('keeps the old primary as retired', () => {
    const plan = planChange(store(binding('p', 'primary')), account('q'), { kind: 'replace' });
    expect(plan.action).toBe('replace');
    expect(plan.ends).toEqual([{ id: 'row-p', reason: 'replaced' }]);
    expect(plan.inserts).toEqual([
      { userid: 'p', accountId: 'acc-p', role: 'retired' },
      { userid: 'q', accountId: 'acc-q', role: 'primary' },
    ]);
    expect(plan.after).toEqual({ primary: 'q', backups: [], retired: ['p'] });
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(true);
  });

  it('replacing with a backup promotes it and retires the old primary', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup'), binding('c', 'backup')), account('b'), { kind: 'replace' });
    expect(plan.action).toBe('replace');
    expect(plan.ends.map((e) => e.reason)).toEqual(['replaced', 'promoted']);
    expect(plan.after).toEqual({ primary: 'b', backups: ['c'], retired: ['p'] });
  });

  it('fails with no_primary when the store has no primary', () => {
    expect(planError(() => planChange(store(binding('b', 'backup')), account('q'), { kind: 'replace' })).code).toBe('no_primary');
  });

  it('replacing the primary with itself is unchanged (checked before no_primary)', () => {
    const plan = planChange(store(binding('p', 'primary')), account('p'), { kind: 'replace' });
    expect(plan.action).toBe('unchanged');
    expect(plan.inserts).toEqual([]);
  });
});

describe('planChange: unbind', () => {
  it('ending a backup beside a primary needs no review', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup')), account('b'), { kind: 'unbind' });
    expect(plan.action).toBe('unbind');
    expect(plan.ends).toEqual([{ id: 'row-b', reason: 'unbound' }]);
    expect(plan.inserts).toEqual([]);
    expect(plan.after).toEqual({ primary: 'p', backups: [], retired: [] });
    expect(plan.primaryChanged).toBe(false);
    expect(plan.needsReview).toBe(false);
    expect(plan.leavesNoActiveAccount).toBe(false);
  });

  it('ending the primary while a backup remains changes the primary and needs review', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('b', 'backup')), account('p'), { kind: 'unbind' });
    expect(plan.after).toEqual({ primary: null, backups: ['b'], retired: [] });
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(true);
    expect(plan.leavesNoActiveAccount).toBe(false);
  });

  it('ending the only account leaves no active account and needs no review', () => {
    const plan = planChange(store(binding('p', 'primary')), account('p'), { kind: 'unbind' });
    expect(plan.leavesNoActiveAccount).toBe(true);
    expect(plan.primaryChanged).toBe(true);
    expect(plan.needsReview).toBe(false);
  });

  it('a retired row does not count as an active account', () => {
    const plan = planChange(store(binding('p', 'primary'), binding('old', 'retired')), account('p'), { kind: 'unbind' });
    expect(plan.after).toEqual({ primary: null, backups: [], retired: ['old'] });
    expect(plan.leavesNoActiveAccount).toBe(true);
  });

  it('unbinding an account not at the store fails with not_bound', () => {
    expect(planError(() => planChange(store(binding('p', 'primary')), account('x'), { kind: 'unbind' })).code).toBe('not_bound');
  });
});

describe('planChange is pure', () => {
  it('does not change the snapshot', () => {
    const s = store(binding('p', 'primary'), binding('b', 'backup'));
    const copy = structuredClone(s);
    planChange(s, account('q'), { kind: 'replace' });
    planChange(s, account('b'), { kind: 'unbind' });
    expect(s).toEqual(copy);
  });
});

describe('applyToSnapshot', () => {
  it('applies ends and inserts so the next row sees the earlier one', () => {
    const s = store();
    const rows: [string, BindingIntent][] = [
      ['p', { kind: 'set', role: 'primary' }],
      ['b', { kind: 'set', role: 'backup' }],
      ['q', { kind: 'set', role: 'primary' }],
    ];
    const actions = rows.map(([userid, intent]) => {
      const plan = planChange(s, account(userid), intent);
      applyToSnapshot(s, plan);
      return plan.action;
    });
    // Without applying, the third row would be a 'bind' (no primary seen).
    expect(actions).toEqual(['bind', 'add_backup', 'rebind']);
    expect(viewOf(s.bindings)).toEqual({ primary: 'q', backups: ['b'], retired: [] });
  });

  it('a repeated row is unchanged once the first is applied', () => {
    const s = store(binding('p', 'primary'));
    const first = planChange(s, account('b'), { kind: 'set', role: 'backup' });
    applyToSnapshot(s, first);
    expect(planChange(s, account('b'), { kind: 'set', role: 'backup' }).action).toBe('unchanged');
    expect(planError(() => planChange(s, account('b'), { kind: 'add', role: 'primary' })).code).toBe('primary_exists');
  });

  it('inserts carry the account id and role, and ended rows are removed', () => {
    const s = store(binding('p', 'primary'));
    applyToSnapshot(s, planChange(s, account('q'), { kind: 'replace' }));
    expect(s.bindings.map((b) => [b.userid, b.accountId, b.role])).toEqual([
      ['p', 'acc-p', 'retired'],
      ['q', 'acc-q', 'primary'],
    ]);
    expect(s.bindings.some((b) => b.id === 'row-p')).toBe(false);
    // A later unbind of the new primary finds its new row.
    const unbind = planChange(s, account('q'), { kind: 'unbind' });
    applyToSnapshot(s, unbind);
    expect(viewOf(s.bindings)).toEqual({ primary: null, backups: [], retired: ['p'] });
  });
});
