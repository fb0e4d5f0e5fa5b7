import { CONFIRMED_ADD } from '../tracking/index.js';
import type { FunnelCounts, FunnelKey, FunnelRates } from '../contract/index.js';

export type { FunnelCounts, FunnelKey, FunnelRates } from '../contract/index.js';

/**
 * The funnel, in order. `stage` is the number stored in the rollup tables; the event type is the
 * customer-path event that puts someone into the stage. Confirmed adds are the server-recorded
 * `confirmed_add` events (the WeCom add callback attributed through `state` by the customer path), counted
 * per customer (props.externalUserid), not per visitor (see docs/metrics.md).
 */
export const FUNNEL_STAGES = [
  { stage: 1, key: 'orderResultVisitors', eventType: 'order_result_view' },
  { stage: 2, key: 'entryClickers', eventType: 'entry_click' },
  { stage: 3, key: 'guideVisitors', eventType: 'guide_view' },
  { stage: 4, key: 'addClickers', eventType: 'add_click' },
  { stage: 5, key: 'confirmedAdds', eventType: CONFIRMED_ADD },
] as const satisfies readonly { stage: number; key: FunnelKey; eventType: string }[];

export const GUIDE_VIEW = 'guide_view';
/**
 * Derived stages (no event type of their own): a guide visitor whose guide visit received an add
 * attributed through `state` (the add rate's numerator, counted on the guide view's day and store),
 * and a customer whose add came without any guide visit (plain store code, other channels).
 */
export const GUIDE_ADD_STAGE = 6;
export const DIRECT_ADD_STAGE = 7;
const DERIVED_STAGES: { stage: number; key: FunnelKey }[] = [
  { stage: GUIDE_ADD_STAGE, key: 'guideAdds' },
  { stage: DIRECT_ADD_STAGE, key: 'directAdds' },
];


/** Event types that feed the stages, and the stage each one feeds. */
export const EVENT_STAGES: { type: string; stage: number }[] = FUNNEL_STAGES.map((s) => ({ type: s.eventType, stage: s.stage }));

export function emptyFunnel(): FunnelCounts {
  return { orderResultVisitors: 0, entryClickers: 0, guideVisitors: 0, addClickers: 0, confirmedAdds: 0, guideAdds: 0, directAdds: 0 };
}

/** Builds counts from `{ stage, n }` query rows (pg returns sums and counts as strings). */
export function funnelFromStageRows(rows: readonly { stage?: unknown; n?: unknown }[]): FunnelCounts {
  const counts = emptyFunnel();
  for (const row of rows) {
    const def = [...FUNNEL_STAGES, ...DERIVED_STAGES].find((s) => s.stage === Number(row.stage));
    if (def) counts[def.key] = Number(row.n);
  }
  return counts;
}

/** A rate as a fraction (0.25 = 25 %), or null when nobody was in the denominator. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

export function funnelRates(f: FunnelCounts): FunnelRates {
  return {
    entryClickRate: ratio(f.entryClickers, f.orderResultVisitors),
    addClickRate: ratio(f.addClickers, f.guideVisitors),
    addRate: ratio(f.guideAdds, f.guideVisitors),
  };
}
