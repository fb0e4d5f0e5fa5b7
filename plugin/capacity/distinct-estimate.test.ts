import { describe, expect, it } from 'vitest';
import { DistinctEstimate } from './distinct-estimate.js';
import { listedIds } from './listed-ids.js';

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `wm${prefix}${i.toString(36)}x${(i * 7919) % 10007}`);

describe('DistinctEstimate', () => {
  it('counts customers shared by several accounts once: within one when small, within 2 % at scale', () => {
    const small = new DistinctEstimate();
    const a = ids(300, 'a');
    for (const list of [a, a.slice(0, 120), ids(50, 'b')]) listedIds(list).forEachHash((h) => small.addHash(h));
    expect(Math.abs(small.estimate() - 350)).toBeLessThanOrEqual(1);

    const large = new DistinctEstimate();
    const big = ids(200_000, 'c');
    listedIds(big).forEachHash((h) => large.addHash(h));
    listedIds(big.slice(0, 50_000)).forEachHash((h) => large.addHash(h));
    expect(Math.abs(large.estimate() - 200_000) / 200_000).toBeLessThan(0.02);
    expect(new DistinctEstimate().estimate()).toBe(0);
  });
});
