import type { Knex } from 'knex';
import type { MetricsService } from '../plugin/metrics/metrics.service.js';
import { addDays, todayIn } from '../plugin/metrics/metrics.definitions.js';
import { seedStores } from './crm/seed-data.js';

const PREFIX = 'demo-metrics-';
export const DEMO_METRICS_DAYS = 30;

/**
 * Believable customer-path events for the last 30 days so the dashboard is not empty: each store has
 * its own traffic and conversion, weekends are busier, a share of visitors come back on later days.
 * Inserted once (skipped when the demo events exist), then rolled up.
 */
export async function seedDemoMetrics(db: Knex, metrics: MetricsService, timezone = 'Asia/Shanghai'): Promise<{ inserted: number }> {
  const today = todayIn(timezone);
  if (await db('wss_tracking_events').where('client_event_id', 'like', `${PREFIX}%`).first('id')) {
    await metrics.rollup({ from: addDays(today, -(DEMO_METRICS_DAYS - 1)), to: today });
    return { inserted: 0 };
  }
  let seed = 20261124;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const rows: Record<string, unknown>[] = [];
  let n = 0;
  const stores = seedStores();
  stores.forEach((store, si) => {
    const traffic = 6 + (si % 7) * 2;
    const entryRate = 0.35 + (si % 5) * 0.06;
    const addRate = 0.4 + (si % 4) * 0.08;
    const regulars: string[] = [];
    for (let d = DEMO_METRICS_DAYS - 1; d >= 0; d--) {
      const day = addDays(today, -d);
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      // A closed store stops getting orders ten days before the end.
      if (!store.isOpen && d < 10) continue;
      const visitors = Math.round(traffic * (weekday === 0 || weekday === 6 ? 1.4 : 1) * (0.7 + random() * 0.6));
      for (let v = 0; v < visitors; v++) {
        const visitorId = regulars.length && random() < 0.2 ? regulars[Math.floor(random() * regulars.length)] : `dv-${store.id}-${d}-${v}`;
        if (regulars.length < 30 && random() < 0.3) regulars.push(visitorId);
        let at = Date.parse(`${day}T09:00:00+08:00`) + Math.floor(random() * 12 * 3600_000);
        const event = (type: string, extra: Record<string, unknown> = {}) => {
          at += 5_000 + Math.floor(random() * 90_000);
          rows.push({
            client_event_id: `${PREFIX}${++n}`, type, store_id: store.id, visitor_id: visitorId, client_type: 'miniprogram',
            occurred_at: new Date(at), day, ...extra,
          });
        };
        event('order_result_view');
        if (random() >= entryRate) continue;
        event('entry_click');
        if (random() >= 0.88) continue;
        const guideVisitId = `gv_demo_${n}`;
        event('guide_view', { guide_visit_id: guideVisitId });
        if (random() >= 0.7) continue;
        event('add_click', { guide_visit_id: guideVisitId });
        const jumped = random() < 0.85;
        event('jump_result', { guide_visit_id: guideVisitId, outcome: jumped ? 'ok' : 'failed' });
        if (jumped && random() < addRate) {
          const externalUserid = `wm_demo_${visitorId}`;
          event('confirmed_add', {
            guide_visit_id: guideVisitId,
            props: JSON.stringify({ via: 'pool', externalUserid, accountUserid: `kf_${store.id.toLowerCase()}` }),
          });
        }
      }
    }
  });
  await db.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += 1000) await trx('wss_tracking_events').insert(rows.slice(i, i + 1000));
  });
  await metrics.rollup({ from: addDays(today, -(DEMO_METRICS_DAYS - 1)), to: today });
  return { inserted: rows.length };
}
