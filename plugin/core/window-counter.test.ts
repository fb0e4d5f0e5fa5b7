import { describe, expect, it } from 'vitest';
import { createWindowCounter } from './window-counter.js';

const clock = (start = 1_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('createWindowCounter', () => {
  it('allows up to the limit per key, then refuses', () => {
    const c = clock();
    const counter = createWindowCounter(3, 60_000, c.now);
    expect([counter.take('a'), counter.take('a'), counter.take('a'), counter.take('a')]).toEqual([true, true, true, false]);
  });

  it('counts each key on its own', () => {
    const c = clock();
    const counter = createWindowCounter(1, 60_000, c.now);
    expect(counter.take('a')).toBe(true);
    expect(counter.take('a')).toBe(false);
    expect(counter.take('b')).toBe(true);
    expect(counter.take('b')).toBe(false);
  });

  it('takes n units at once, and takes nothing when n would exceed the limit', () => {
    const c = clock();
    const counter = createWindowCounter(10, 60_000, c.now);
    expect(counter.take('k', 7)).toBe(true);
    expect(counter.take('k', 4)).toBe(false);
    // The refused 4 were not taken: 3 still fit exactly.
    expect(counter.take('k', 3)).toBe(true);
    expect(counter.take('k')).toBe(false);
  });

  it('refuses a single request larger than the limit', () => {
    const counter = createWindowCounter(5, 60_000, clock().now);
    expect(counter.take('k', 6)).toBe(false);
    expect(counter.take('k', 5)).toBe(true);
  });

  it('clears every key when the window rolls over, not a moment before', () => {
    const c = clock();
    const counter = createWindowCounter(2, 60_000, c.now);
    counter.take('a', 2);
    counter.take('b', 2);
    c.advance(59_999);
    expect(counter.take('a')).toBe(false);
    c.advance(1);
    expect(counter.take('a')).toBe(true);
    expect(counter.take('b', 2)).toBe(true);
    expect(counter.take('a')).toBe(true);
    expect(counter.take('a')).toBe(false);
  });

  it('starts the next window at the first use after the roll-over', () => {
    const c = clock();
    const counter = createWindowCounter(1, 1000, c.now);
    counter.take('a');
    c.advance(2500); // new window starts here
    expect(counter.take('a')).toBe(true);
    c.advance(999);
    expect(counter.take('a')).toBe(false);
    c.advance(1);
    expect(counter.take('a')).toBe(true);
  });

  it('defaults to a one-minute window', () => {
    const c = clock();
    const counter = createWindowCounter(1, undefined, c.now);
    counter.take('a');
    c.advance(59_999);
    expect(counter.take('a')).toBe(false);
    c.advance(1);
    expect(counter.take('a')).toBe(true);
  });
});
