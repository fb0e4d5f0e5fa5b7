/**
 * Where a store's new customers should go, given its accounts' fill. Pure, so every rule is testable:
 * - the primary below the hard level takes them; once moved away, it takes them back only below
 *   hardLevel − margin (no flapping);
 * - otherwise the backup with the most room below the hard level (the current one is kept while it
 *   has room);
 * - otherwise none: the entry hides.
 */
export interface RouteAccount {
  role: 'primary' | 'backup';
  id: string;
  userid: string;
  name: string;
  count: number;
  limit: number;
}

export type RouteReason = 'capacity_failover' | 'capacity_full' | 'capacity_restored';

export interface RouteDecision {
  routedTo: 'primary' | 'backup' | 'none';
  account: RouteAccount | null;
  reason: RouteReason;
}

export function decideRoute(input: {
  current: { routedTo: 'primary' | 'backup' | 'none'; accountUserid: string | null };
  accounts: RouteAccount[];
  hardLevel: number;
  margin: number;
}): RouteDecision | null {
  const { current, accounts, hardLevel, margin } = input;
  const fill = (a: RouteAccount) => (a.count * 100) / a.limit;
  const primary = accounts.find((a) => a.role === 'primary');
  // A store without a primary is unbound: the binding workflow owns its entry, not capacity.
  if (!primary) return null;
  const primaryLimit = current.routedTo === 'primary' ? hardLevel : hardLevel - margin;
  let target: { routedTo: RouteDecision['routedTo']; account: RouteAccount | null };
  if (fill(primary) < primaryLimit) {
    target = { routedTo: 'primary', account: primary };
  } else {
    const backups = accounts.filter((a) => a.role === 'backup' && fill(a) < hardLevel);
    const kept = backups.find((a) => current.routedTo === 'backup' && a.userid === current.accountUserid);
    const best = kept ?? backups.sort((a, b) => fill(a) - fill(b))[0];
    target = best ? { routedTo: 'backup', account: best } : { routedTo: 'none', account: null };
  }
  const same = target.routedTo === current.routedTo && (target.routedTo !== 'backup' || target.account?.userid === current.accountUserid);
  if (same) return null;
  const reason: RouteReason = target.routedTo === 'primary' ? 'capacity_restored' : target.routedTo === 'backup' ? 'capacity_failover' : 'capacity_full';
  return { ...target, reason };
}
