import type { Knex } from 'knex';
import type { StatsService as MetricsService } from '../plugin/stats/index.js';
import { addDays, todayIn } from '../plugin/core/days.js';
import { seedStores } from './crm/seed-data.js';
import { demoStorePlan, type DemoStorePlan } from './enterprise-seed.js';

/** Seeded events' client_event_id prefix; v2 follows the rollout plan (older demo events are replaced). */
const PREFIX = 'demo-metrics-v2-';
const OLD_PREFIX = 'demo-metrics-';
export const DEMO_METRICS_DAYS = 30;

/** A small deterministic generator per store and day, so a missing day can be added later on its own. */
function randomFor(key: string) {
  let seed = 20261124;
  for (const ch of key) seed = (Math.imul(seed ^ ch.charCodeAt(0), 16777619) + 1013904223) >>> 0;
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

/**
 * Believable customer-path events for the last 30 days so the dashboard is not empty: each store has
 * its own traffic and conversion, weekends are busier, a share of visitors are regulars of the store.
 * Consistent with the rollout plan (demo/enterprise-seed.ts): every store's order-result page is
 * viewed, but the entry can only be clicked from the day HQ showed it, so stores never shown have
 * views and nothing else. Days already seeded are kept; missing days of the window are added (the demo
 * keeps looking current when restarted days later), then the window is rolled up.
 */
export async function seedDemoMetrics(
  db: Knex,
  metrics: MetricsService,
  timezone = 'Asia/Shanghai',
  plan: DemoStorePlan[] = demoStorePlan(),
): Promise<{ inserted: number }> {
  const today = todayIn(timezone);
  const firstDay = addDays(today, -(DEMO_METRICS_DAYS - 1));
  let rollFrom = firstDay;
  // Demo events of the first version ignored the rollout (clicks at stores with no account).
  const old = await db('wss_tracking_events')
    .where('client_event_id', 'like', `${OLD_PREFIX}%`)
    .whereNot('client_event_id', 'like', `${PREFIX}%`)
    .min({ day: db.raw('day::text') })
    .first();
  if (old?.day) {
    await db('wss_tracking_events').where('client_event_id', 'like', `${OLD_PREFIX}%`).whereNot('client_event_id', 'like', `${PREFIX}%`).del();
    if (old.day < rollFrom) rollFrom = old.day;
  }
  const seeded = new Set<string>(
    await db('wss_tracking_events').where('client_event_id', 'like', `${PREFIX}%`).where('day', '>=', firstDay).distinct(db.raw('day::text AS day')).pluck('day'),
  );
  const missing = Array.from({ length: DEMO_METRICS_DAYS }, (_, i) => addDays(firstDay, i)).filter((day) => !seeded.has(day));

  const shownDaysAgo = new Map(plan.map((p) => [p.storeId, p.shownDaysAgo]));
  const rows: Record<string, unknown>[] = [];
  seedStores().forEach((store, si) => {
    const traffic = 6 + (si % 7) * 2;
    const entryRate = 0.35 + (si % 5) * 0.06;
    const addRate = 0.4 + (si % 4) * 0.08;
    const shownSince = shownDaysAgo.get(store.id);
    for (const day of missing) {
      const ago = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000);
      // A closed store stopped getting orders ten days ago.
      if (!store.isOpen && ago < 10) continue;
      const entryShown = shownSince !== null && shownSince !== undefined && ago <= shownSince;
      const random = randomFor(`${store.id}|${day}`);
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      const visitors = Math.round(traffic * (weekday === 0 || weekday === 6 ? 1.4 : 1) * (0.7 + random() * 0.6));
      let n = 0;
      for (let v = 0; v < visitors; v++) {
        // A fifth are regulars of the store, who come back on other days.
        const visitorId = random() < 0.2 ? `dv-${store.id}-r${Math.floor(random() * 30)}` : `dv-${store.id}-${day}-${v}`;
        let at = Date.parse(`${day}T09:00:00+08:00`) + Math.floor(random() * 12 * 3600_000);
        const event = (type: string, extra: Record<string, unknown> = {}) => {
          at += 5_000 + Math.floor(random() * 90_000);
          rows.push({
            client_event_id: `${PREFIX}${store.id}-${day}-${++n}`, type, store_id: store.id, visitor_id: visitorId, client_type: 'miniprogram',
            occurred_at: new Date(at), day, ...extra,
          });
        };
        event('order_result_view', { props: JSON.stringify({ entryVisible: entryShown }) });
        if (!entryShown || random() >= entryRate) continue;
        event('entry_click');
        if (random() >= 0.88) continue;
        const guideVisitId = `gv_demo_${store.id}_${day}_${n}`;
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
  if (rows.length) {
    await db.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 1000) await trx('wss_tracking_events').insert(rows.slice(i, i + 1000)).onConflict('client_event_id').ignore();
    });
    if (missing[0] < rollFrom) rollFrom = missing[0];
  }
  await metrics.rollup({ from: rollFrom, to: today });
  return { inserted: rows.length };
}
