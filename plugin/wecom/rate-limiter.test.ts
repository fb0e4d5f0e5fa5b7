import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createRateLimiter', () => {
  it('never lets more than perApi calls of one API start inside a window', async () => {
    const limiter = createRateLimiter({ perApi: 3, windowMs: 1000, concurrency: 100 });
    const starts: number[] = [];
    const ends: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) =>
      limiter.schedule('get_user', async () => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 50));
        ends.push(Date.now());
        return i;
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(starts).toHaveLength(10);
    expect(starts.slice(0, 3)).toEqual([0, 0, 0]);
    // Each start needs a slot whose response is at least windowMs old.
    for (let i = 3; i < starts.length; i++) expect(starts[i] - ends[i - 3]).toBeGreaterThanOrEqual(1000);
    // Any window of 1000 ms holds at most 3 starts.
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(3);
  });

  it('frees a slot windowMs after its response, not after its request', async () => {
    const limiter = createRateLimiter({ perApi: 1, windowMs: 1000, concurrency: 10 });
    const slow = deferred();
    let secondStarted = -1;
    const first = limiter.schedule('api', () => slow.promise);
    const second = limiter.schedule('api', async () => {
      secondStarted = Date.now();
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(limiter.usage('api')).toBe(1);
    slow.resolve();
    await first;
    // 1000 ms after the request started, but only 500 ms after the response: still waiting.
    await vi.advanceTimersByTimeAsync(999);
    expect(secondStarted).toBe(-1);
    await vi.advanceTimersByTimeAsync(10);
    await second;
    expect(secondStarted).toBeGreaterThanOrEqual(1500);
    expect(secondStarted).toBeLessThan(1510);
  });

  it('counts in-flight and in-window slots in usage, and frees them after the window', async () => {
    const limiter = createRateLimiter({ perApi: 5, windowMs: 1000, concurrency: 10 });
    const gate = deferred();
    const running = limiter.schedule('api', () => gate.promise);
    await limiter.schedule('api', async () => undefined);
    expect(limiter.usage('api')).toBe(2);
    gate.resolve();
    await running;
    await vi.advanceTimersByTimeAsync(999);
    expect(limiter.usage('api')).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(limiter.usage('api')).toBe(0);
    expect(limiter.usage('never_called')).toBe(0);
  });

  it('caps concurrent requests across APIs', async () => {
    const limiter = createRateLimiter({ perApi: 100, windowMs: 1000, concurrency: 2 });
    let active = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const all = gates.map((gate, i) =>
      limiter.schedule(i % 2 ? 'a' : 'b', async () => {
        started.push(i);
        active += 1;
        peak = Math.max(peak, active);
        await gate.promise;
        active -= 1;
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all(all);
    expect(started).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('keeps each API’s budget separate', async () => {
    const limiter = createRateLimiter({ perApi: 1, windowMs: 60_000, concurrency: 10 });
    await limiter.schedule('a', async () => undefined);
    let aAgain = false;
    const pending = limiter.schedule('a', async () => {
      aAgain = true;
    });
    const b = await limiter.schedule('b', async () => 'b ran');
    expect(b).toBe('b ran');
    expect(limiter.usage('a')).toBe(1);
    expect(limiter.usage('b')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(aAgain).toBe(false);
    await vi.advanceTimersByTimeAsync(60_001);
    await pending;
    expect(aAgain).toBe(true);
  });

  it('passes a task’s error through and still releases its slots', async () => {
    const limiter = createRateLimiter({ perApi: 1, windowMs: 1000, concurrency: 1 });
    await expect(limiter.schedule('api', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    // The concurrency slot is free at once: another API runs immediately.
    await expect(limiter.schedule('other', async () => 'ok')).resolves.toBe('ok');
    // The budget slot is held for the window, then freed.
    const next = limiter.schedule('api', async () => Date.now());
    await vi.advanceTimersByTimeAsync(1100);
    expect(await next).toBeGreaterThanOrEqual(1000);
  });
});
