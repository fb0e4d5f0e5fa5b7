import { describe, expect, it } from 'vitest';
import { nextEpisodes, quotaWarnings } from './quota-rules.js';

const t0 = new Date('2026-12-01T00:00:00Z');
const later = new Date('2026-12-01T01:00:00Z');
const quota = (balance: number, packages: { balance: number; expireDate: Date }[] = []) => ({ total: 100, balance, packages });

describe('acquisition quota rules', () => {
  it('keeps one low episode while the balance stays low, so the warning key does not change', () => {
    const first = nextEpisodes({ lowSince: null, exhaustedSince: null }, quota(10), 20, t0);
    const second = nextEpisodes(first, quota(8), 20, later);
    expect(second.lowSince).toEqual(t0);
    expect(quotaWarnings(first, quota(10), 7, t0)[0].key).toBe(quotaWarnings(second, quota(8), 7, later)[0].key);
  });

  it('starts a new episode after the balance recovered', () => {
    const low = nextEpisodes({ lowSince: null, exhaustedSince: null }, quota(10), 20, t0);
    const recovered = nextEpisodes(low, quota(500), 20, later);
    expect(recovered).toEqual({ lowSince: null, exhaustedSince: null });
    const again = nextEpisodes(recovered, quota(5), 20, new Date('2026-12-02T00:00:00Z'));
    expect(quotaWarnings(again, quota(5), 7, t0)[0].key).not.toBe(quotaWarnings(low, quota(10), 7, t0)[0].key);
  });

  it('exhaustion replaces the low warning and packages expiring within the window warn once each', () => {
    const episodes = nextEpisodes({ lowSince: t0, exhaustedSince: null }, quota(0), 20, later);
    const soon = new Date(later.getTime() + 3 * 86_400_000);
    const far = new Date(later.getTime() + 30 * 86_400_000);
    const warnings = quotaWarnings(episodes, quota(0, [{ balance: 5, expireDate: soon }, { balance: 9, expireDate: far }, { balance: 0, expireDate: soon }]), 7, later);
    expect(warnings.map((w) => w.kind)).toEqual(['acquisition_quota_exhausted', 'acquisition_quota_expiring']);
    expect(warnings[1].expiringBalance).toBe(5);
  });
});
