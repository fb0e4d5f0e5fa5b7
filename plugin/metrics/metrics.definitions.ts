import { CONFIRMED_ADD } from '../tracking/tracking.schema.js';

/**
 * The funnel, in order. `stage` is the number stored in the rollup tables; the event type is the
 * customer-path event that puts someone into the stage. Confirmed adds are the server-recorded
 * `confirmed_add` events (the WeCom add callback attributed through `state` by plugin/entry), counted
 * per customer (props.externalUserid), not per visitor (see docs/metrics.md).
 */
export const FUNNEL_STAGES = [
  { stage: 1, key: 'orderResultVisitors', eventType: 'order_result_view' },
  { stage: 2, key: 'entryClickers', eventType: 'entry_click' },
  { stage: 3, key: 'guideVisitors', eventType: 'guide_view' },
  { stage: 4, key: 'addClickers', eventType: 'add_click' },
  { stage: 5, key: 'confirmedAdds', eventType: CONFIRMED_ADD },
] as const;

export type FunnelKey = (typeof FUNNEL_STAGES)[number]['key'];
export type FunnelCounts = Record<FunnelKey, number>;

export const FUNNEL_KEYS = FUNNEL_STAGES.map((s) => s.key) as FunnelKey[];

/** Event types that feed the stages, and the stage each one feeds. */
export const EVENT_STAGES: { type: string; stage: number }[] = FUNNEL_STAGES.map((s) => ({ type: s.eventType, stage: s.stage }));

export const CONFIRMED_ADD_STAGE = 5;

export function emptyFunnel(): FunnelCounts {
  return { orderResultVisitors: 0, entryClickers: 0, guideVisitors: 0, addClickers: 0, confirmedAdds: 0 };
}

/** Builds counts from `{ stage, n }` query rows (pg returns sums and counts as strings). */
export function funnelFromStageRows(rows: readonly { stage?: unknown; n?: unknown }[]): FunnelCounts {
  const counts = emptyFunnel();
  for (const row of rows) {
    const def = FUNNEL_STAGES.find((s) => s.stage === Number(row.stage));
    if (def) counts[def.key] = Number(row.n);
  }
  return counts;
}

/** A rate as a fraction (0.25 = 25 %), or null when nobody was in the denominator. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export interface FunnelRates {
  /** Entry clickers / order-result visitors. */
  entryClickRate: number | null;
  /** Add clickers / guide visitors. */
  addClickRate: number | null;
  /** Confirmed adds / guide visitors. */
  addRate: number | null;
}

export function funnelRates(f: FunnelCounts): FunnelRates {
  return {
    entryClickRate: ratio(f.entryClickers, f.orderResultVisitors),
    addClickRate: ratio(f.addClickers, f.guideVisitors),
    addRate: ratio(f.confirmedAdds, f.guideVisitors),
  };
}

/** Who the numbers cover: everything (HQ) or a set of branches, always decided from the actor. */
export type MetricsScope = { kind: 'all' } | { kind: 'branches'; branchIds: string[] };

/** Calendar-day helpers on 'YYYY-MM-DD' strings (no time zone involved once the day is known). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function dayRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}

/** Today's calendar day in a time zone, as 'YYYY-MM-DD'. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
