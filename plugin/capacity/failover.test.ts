import { describe, expect, it } from 'vitest';
import { decideRoute, type RouteAccount } from './failover.js';

const acc = (role: 'primary' | 'backup', userid: string, count: number, limit = 100): RouteAccount => ({ role, id: `id-${userid}`, userid, name: `名${userid}`, count, limit });
type Current = Parameters<typeof decideRoute>[0]['current'];
const onPrimary: Current = { routedTo: 'primary', accountUserid: 'p' };
const onBackup = (userid: string): Current => ({ routedTo: 'backup', accountUserid: userid });
const onNone: Current = { routedTo: 'none', accountUserid: null };
const decide = (current: Current, accounts: RouteAccount[]) => decideRoute({ current, accounts, hardLevel: 95, margin: 5 });

describe('decideRoute', () => {
  it('returns null for a store without a primary', () => {
    expect(decide(onPrimary, [acc('backup', 'b', 0)])).toBeNull();
    expect(decide(onNone, [])).toBeNull();
  });

  it('keeps the primary while it is below the hard level', () => {
    expect(decide(onPrimary, [acc('primary', 'p', 94), acc('backup', 'b', 0)])).toBeNull();
  });

  it('compares fill as a percentage of each account’s own limit', () => {
    // 189 / 200 = 94.5 % (below), 190 / 200 = 95 % (at the hard level)
    expect(decide(onPrimary, [acc('primary', 'p', 189, 200), acc('backup', 'b', 0)])).toBeNull();
    expect(decide(onPrimary, [acc('primary', 'p', 190, 200), acc('backup', 'b', 0)])).toMatchObject({ routedTo: 'backup' });
  });

  it('fails over at the hard level to the backup with the most room', () => {
    const b2 = acc('backup', 'b2', 10, 20); // 50 %
    const decision = decide(onPrimary, [acc('primary', 'p', 95), acc('backup', 'b1', 60), b2, acc('backup', 'b3', 70)]);
    expect(decision).toEqual({ routedTo: 'backup', account: b2, reason: 'capacity_failover' });
  });

  it('never fails over to a backup at or above the hard level', () => {
    expect(decide(onPrimary, [acc('primary', 'p', 95), acc('backup', 'b1', 95), acc('backup', 'b2', 99)])).toEqual({
      routedTo: 'none',
      account: null,
      reason: 'capacity_full',
    });
  });

  it('keeps the current backup while it has room, even if another has more', () => {
    expect(decide(onBackup('b1'), [acc('primary', 'p', 99), acc('backup', 'b1', 90), acc('backup', 'b2', 5)])).toBeNull();
  });

  it('moves off the current backup once it reaches the hard level', () => {
    const b2 = acc('backup', 'b2', 50);
    expect(decide(onBackup('b1'), [acc('primary', 'p', 99), acc('backup', 'b1', 95), b2])).toEqual({ routedTo: 'backup', account: b2, reason: 'capacity_failover' });
  });

  it('moves off a backup that is no longer bound', () => {
    const b2 = acc('backup', 'b2', 50);
    expect(decide(onBackup('gone'), [acc('primary', 'p', 99), b2])).toMatchObject({ routedTo: 'backup', account: { userid: 'b2' } });
  });

  it('hides the entry when the current backup fills and none has room', () => {
    expect(decide(onBackup('b1'), [acc('primary', 'p', 99), acc('backup', 'b1', 96)])).toEqual({ routedTo: 'none', account: null, reason: 'capacity_full' });
  });

  it('stays hidden (null) while nothing has room', () => {
    expect(decide(onNone, [acc('primary', 'p', 99), acc('backup', 'b1', 96)])).toBeNull();
  });

  it('returns to the primary only below hardLevel − margin', () => {
    const accounts = (count: number) => [acc('primary', 'p', count), acc('backup', 'b', 10)];
    expect(decide(onBackup('b'), accounts(94))).toBeNull();
    expect(decide(onBackup('b'), accounts(90))).toBeNull();
    const back = decide(onBackup('b'), accounts(89));
    expect(back).toEqual({ routedTo: 'primary', account: accounts(89)[0], reason: 'capacity_restored' });
  });

  it('from hidden, the primary also needs to be below hardLevel − margin', () => {
    expect(decide(onNone, [acc('primary', 'p', 92)])).toBeNull();
    expect(decide(onNone, [acc('primary', 'p', 89)])).toMatchObject({ routedTo: 'primary', reason: 'capacity_restored' });
  });

  it('from hidden, a backup with room takes new customers', () => {
    expect(decide(onNone, [acc('primary', 'p', 92), acc('backup', 'b', 40)])).toMatchObject({ routedTo: 'backup', account: { userid: 'b' }, reason: 'capacity_failover' });
  });

  it('uses the margin it is given', () => {
    const input = { current: onBackup('b'), accounts: [acc('primary', 'p', 85), acc('backup', 'b', 10)], hardLevel: 95 };
    expect(decideRoute({ ...input, margin: 10 })).toBeNull();
    expect(decideRoute({ ...input, margin: 9 })).toMatchObject({ routedTo: 'primary' });
  });
});
