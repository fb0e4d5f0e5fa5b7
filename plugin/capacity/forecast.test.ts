import { describe, expect, it } from 'vitest';
import { forecastFill, forecastText, MIN_HISTORY_MS, type Forecast } from './forecast.js';

const NOW = new Date('2024-06-10T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe('forecastFill', () => {
  it('gives no rate without a sample, but still names the next level', () => {
    expect(forecastFill({ count: 50, limit: 100, levels: [90, 80], since: null, now: NOW })).toEqual({
      perDay: null,
      nextLevel: 80,
      daysToNext: null,
      daysToFull: null,
    });
  });

  it('gives no rate with less than MIN_HISTORY_MS of history', () => {
    const f = forecastFill({ count: 60, limit: 100, levels: [80], since: { at: ago(MIN_HISTORY_MS - 1), count: 10 }, now: NOW });
    expect(f).toEqual({ perDay: null, nextLevel: 80, daysToNext: null, daysToFull: null });
  });

  it('gives a rate from exactly MIN_HISTORY_MS of history', () => {
    const f = forecastFill({ count: 51, limit: 100, levels: [80], since: { at: ago(MIN_HISTORY_MS), count: 50 }, now: NOW });
    // 1 per hour = 24 per day
    expect(f.perDay).toBe(24);
    expect(f.daysToNext).toBe(1.2); // 29 / 24 = 1.208…
    expect(f.daysToFull).toBe(2); // 49 / 24 = 2.04…
  });

  it('computes days to the next level and to full from the net daily rate', () => {
    const f = forecastFill({ count: 50, limit: 100, levels: [95, 80], since: { at: ago(2 * DAY), count: 30 }, now: NOW });
    expect(f).toEqual({ perDay: 10, nextLevel: 80, daysToNext: 3, daysToFull: 5 });
  });

  it('rounds the target of a level up to a whole customer', () => {
    // 80 % of 7 is 5.6 → 6 customers; from 2 at 1/day that is 4 days (not 3.6)
    const f = forecastFill({ count: 2, limit: 7, levels: [80], since: { at: ago(DAY), count: 1 }, now: NOW });
    expect(f.daysToNext).toBe(4);
    expect(f.daysToFull).toBe(5);
  });

  it('skips levels already passed, a level equal to the fill included', () => {
    const since = { at: ago(DAY), count: 70 };
    expect(forecastFill({ count: 85, limit: 100, levels: [70, 80, 90], since, now: NOW }).nextLevel).toBe(90);
    expect(forecastFill({ count: 80, limit: 100, levels: [70, 80, 90], since, now: NOW }).nextLevel).toBe(90);
  });

  it('with every level passed: no next level, but still days to full', () => {
    const f = forecastFill({ count: 96, limit: 100, levels: [80, 95], since: { at: ago(DAY), count: 94 }, now: NOW });
    expect(f).toEqual({ perDay: 2, nextLevel: null, daysToNext: null, daysToFull: 2 });
  });

  it('a shrinking account has a negative rate and no days', () => {
    const f = forecastFill({ count: 40, limit: 100, levels: [80], since: { at: ago(DAY * 2), count: 45 }, now: NOW });
    expect(f).toEqual({ perDay: -2.5, nextLevel: 80, daysToNext: null, daysToFull: null });
  });

  it('a flat account has a zero rate and no days', () => {
    const f = forecastFill({ count: 40, limit: 100, levels: [80], since: { at: ago(DAY), count: 40 }, now: NOW });
    expect(f.perDay).toBe(0);
    expect(f.daysToFull).toBeNull();
  });

  it('rounds the rate and days to one decimal', () => {
    // 10 in 3 days = 3.333…/day
    const f = forecastFill({ count: 20, limit: 100, levels: [50], since: { at: ago(3 * DAY), count: 10 }, now: NOW });
    expect(f.perDay).toBe(3.3);
    expect(f.daysToNext).toBe(9); // 30 / 3.333 = 9
    expect(f.daysToFull).toBe(24); // 80 / 3.333 = 24
  });

  it('an account already over its limit is 0 days from full', () => {
    const f = forecastFill({ count: 105, limit: 100, levels: [80], since: { at: ago(DAY), count: 100 }, now: NOW });
    expect(f.nextLevel).toBeNull();
    expect(f.daysToFull).toBe(0);
  });

  it('does not reorder the caller’s levels', () => {
    const levels = [95, 70, 80];
    forecastFill({ count: 10, limit: 100, levels, since: null, now: NOW });
    expect(levels).toEqual([95, 70, 80]);
  });
});

describe('forecastText', () => {
  const base: Forecast = { perDay: 10, nextLevel: 80, daysToNext: 3, daysToFull: 5 };

  it('words the next level and full', () => {
    expect(forecastText(base)).toBe('按近期日均新增10人，预计约3天后达到80%，约5天后满员。');
  });

  it('words only full when no level is ahead', () => {
    expect(forecastText({ ...base, nextLevel: null, daysToNext: null })).toBe('按近期日均新增10人，预计约5天后满员。');
  });

  it('is empty without days to full', () => {
    expect(forecastText({ perDay: null, nextLevel: 80, daysToNext: null, daysToFull: null })).toBe('');
    expect(forecastText({ perDay: -1, nextLevel: 80, daysToNext: null, daysToFull: null })).toBe('');
  });

  it('words a real forecast end to end', () => {
    const f = forecastFill({ count: 50, limit: 100, levels: [80], since: { at: ago(2 * DAY), count: 30 }, now: NOW });
    expect(forecastText(f)).toBe('按近期日均新增10人，预计约3天后达到80%，约5天后满员。');
  });
});
