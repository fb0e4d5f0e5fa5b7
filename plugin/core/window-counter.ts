/**
 * Fixed one-minute windows per key, in process (each host process limits on its own; the limit is a
 * flood guard, not a quota). Memory is bounded: the map is emptied when the window rolls over.
 */
export function createWindowCounter(limit: number, windowMs = 60_000, now: () => number = Date.now) {
  let windowStart = now();
  const counts = new Map<string, number>();
  const roll = () => {
    const t = now();
    if (t - windowStart >= windowMs) {
      windowStart = t;
      counts.clear();
    }
  };
  return {
    /** Takes `n` units for `key`; false (and nothing taken) when that would exceed the limit. */
    take(key: string, n = 1): boolean {
      roll();
      const used = counts.get(key) ?? 0;
      if (used + n > limit) return false;
      counts.set(key, used + n);
      return true;
    },
  };
}
