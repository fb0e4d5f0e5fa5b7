/**
 * What a quota sync means: the low/exhausted episodes (a warning per episode, keyed by its start)
 * and the packages about to expire. Pure, so the rules are tested without a database.
 */
export interface QuotaSnapshot {
  total: number;
  balance: number;
  packages: { balance: number; expireDate: Date }[];
}

export interface QuotaEpisodes {
  lowSince: Date | null;
  exhaustedSince: Date | null;
}

export interface QuotaWarning {
  kind: 'acquisition_quota_low' | 'acquisition_quota_exhausted' | 'acquisition_quota_expiring';
  key: string;
  balance: number;
  expireDate?: Date;
  expiringBalance?: number;
}

export function nextEpisodes(previous: QuotaEpisodes, quota: QuotaSnapshot, lowBelow: number, now: Date): QuotaEpisodes {
  const exhausted = quota.balance <= 0;
  const low = quota.balance < lowBelow;
  return {
    lowSince: low ? (previous.lowSince ?? now) : null,
    exhaustedSince: exhausted ? (previous.exhaustedSince ?? now) : null,
  };
}

/** Warnings for this state; the outbox drops keys it already holds, so repeating them is harmless. */
export function quotaWarnings(episodes: QuotaEpisodes, quota: QuotaSnapshot, expiryWarnDays: number, now: Date): QuotaWarning[] {
  const out: QuotaWarning[] = [];
  if (episodes.exhaustedSince) {
    out.push({ kind: 'acquisition_quota_exhausted', key: `acq:exhausted:${episodes.exhaustedSince.getTime()}`, balance: quota.balance });
  } else if (episodes.lowSince) {
    out.push({ kind: 'acquisition_quota_low', key: `acq:low:${episodes.lowSince.getTime()}`, balance: quota.balance });
  }
  const horizon = now.getTime() + expiryWarnDays * 86_400_000;
  for (const pkg of quota.packages) {
    if (pkg.balance > 0 && pkg.expireDate.getTime() > now.getTime() && pkg.expireDate.getTime() <= horizon) {
      out.push({ kind: 'acquisition_quota_expiring', key: `acq:expiring:${pkg.expireDate.getTime()}`, balance: quota.balance, expireDate: pkg.expireDate, expiringBalance: pkg.balance });
    }
  }
  return out;
}
