import { describe, expect, it } from 'vitest';
import { listedIds } from './listed-ids.js';

describe('listedIds', () => {
  it('answers membership for every listed id and (almost) never for others', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `wm${i.toString(36).padStart(8, 'x')}Q${(i * 7919) % 10007}`);
    const listed = listedIds(ids);
    expect(listed.size).toBe(5000);
    expect(ids.every((id) => listed.has(id))).toBe(true);
    const strangers = Array.from({ length: 5000 }, (_, i) => `wo${i}stranger`);
    expect(strangers.filter((id) => listed.has(id)).length).toBeLessThanOrEqual(1);
    expect(listedIds([]).has('wm1')).toBe(false);
  });
});
