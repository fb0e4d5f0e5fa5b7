import { z } from 'zod';

/**
 * Calendar-day helpers on 'YYYY-MM-DD' strings (no time zone involved once the day is known), and
 * the one day/period schema every route with dates uses. Days live in a bounded calendar: past it a
 * day no longer has four year digits (the day after 9999-12-31 is '+010000-01-01', which sorts
 * before it), so nothing here may step outside it.
 */
export const FIRST_DAY = '2000-01-01';
export const LAST_DAY = '2099-12-31';
/** The longest list of days any helper produces (ten years); a caller needing more is a bug. */
export const MAX_RANGE_DAYS = 3660;

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** True for an existing calendar day inside [FIRST_DAY, LAST_DAY]. */
export function isDay(value: string): boolean {
  if (!DAY_PATTERN.test(value) || value < FIRST_DAY || value > LAST_DAY) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(value);
}

function assertDay(value: string): number {
  if (!isDay(value)) throw new RangeError(`not a day between ${FIRST_DAY} and ${LAST_DAY}: ${JSON.stringify(value).slice(0, 40)}`);
  return Date.parse(`${value}T00:00:00Z`);
}

/** `day` moved by `n` days; a RangeError when the result leaves the calendar. */
export function addDays(day: string, n: number): string {
  const result = new Date(assertDay(day) + n * MS_PER_DAY).toISOString().slice(0, 10);
  assertDay(result);
  return result;
}

/** Days from `from` to `to`, both included (0 or less when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((assertDay(to) - assertDay(from)) / MS_PER_DAY) + 1;
}

/** Every day from `from` to `to`, both included; never more than MAX_RANGE_DAYS. */
export function dayRange(from: string, to: string): string[] {
  const count = daysBetween(from, to);
  if (count > MAX_RANGE_DAYS) throw new RangeError(`day range longer than ${MAX_RANGE_DAYS} days`);
  const start = assertDay(from);
  return Array.from({ length: Math.max(0, count) }, (_, i) => new Date(start + i * MS_PER_DAY).toISOString().slice(0, 10));
}

/** The range cut into consecutive batches of at most `size` days. */
export function dayBatches(range: { from: string; to: string }, size: number): { from: string; to: string }[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('batch size must be a positive integer');
  const days = dayRange(range.from, range.to);
  const batches: { from: string; to: string }[] = [];
  for (let i = 0; i < days.length; i += size) batches.push({ from: days[i], to: days[Math.min(i + size, days.length) - 1] });
  return batches;
}

/** Today's calendar day in a time zone, as 'YYYY-MM-DD'. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A calendar day 'YYYY-MM-DD' that exists, between FIRST_DAY and LAST_DAY. */
export const daySchema = z
  .string()
  .regex(DAY_PATTERN, 'expected YYYY-MM-DD')
  .refine(isDay, `not a calendar day between ${FIRST_DAY} and ${LAST_DAY}`);

/** The optional `from`/`to` fields of a period filter; spread into a route's query object. */
export const periodFields = { from: daySchema.optional(), to: daySchema.optional() };

/**
 * The period rule, for `.superRefine` on a schema built with `periodFields`: `from` not after `to`,
 * and at most `maxDays` days when both are given.
 */
export function checkPeriod(maxDays: number = MAX_RANGE_DAYS) {
  return (value: { from?: string; to?: string }, ctx: z.RefinementCtx): void => {
    if (!value.from || !value.to || !isDay(value.from) || !isDay(value.to)) return;
    const days = daysBetween(value.from, value.to);
    if (days < 1) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
    else if (days > maxDays) ctx.addIssue({ code: 'custom', path: ['from'], message: `period longer than ${maxDays} days` });
  };
}
