/**
 * The enterprise's external-contact scale: WeCom charges for it above 2,000, bought in ranges, so HQ
 * watches the total against what it bought. The total is the customers counted once (the capacity
 * sync's distinct estimate) moved by the live counts' deltas since; its levels warn through the
 * robots like an account's (hysteresis, one warning for the highest level crossed, queued in the
 * transaction that changed the level state).
 */
import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import { authorOf, writeAudit } from '../core/audit.js';
import { countedBindingSql } from '../core/serving.js';
import type { AlertMessage, AlertsService } from '../alerts/index.js';
import type { EnterpriseCapacityBody } from '../contract/index.js';
import { forecastFill, forecastText } from './forecast.js';

const STATE = 'wss_enterprise_capacity';
const LEVELS = 'wss_enterprise_capacity_levels';
const SAMPLES = 'wss_enterprise_capacity_samples';

export interface EnterpriseCapacity {
  /** After a sync: the de-duplicated customers it measured, against the live counts' sum now. */
  recordDistinct(distinct: number): Promise<void>;
  /** Checks the levels (after a sync, a callback, a scale change); returns warnings queued. */
  check(): Promise<number>;
  view(): Promise<EnterpriseCapacityBody>;
  setPurchasedScale(actor: Actor, scale: number | null, reason?: string): Promise<EnterpriseCapacityBody>;
}

export function createEnterpriseCapacity(deps: {
  db: Knex;
  alerts: Pick<AlertsService, 'enqueue'>;
  levels: readonly number[];
  rearmMargin: number;
  forecastWindowDays: number;
}): EnterpriseCapacity {
  const { db, levels } = deps;

  async function liveSum(knex: Knex): Promise<number> {
    const { rows } = await knex.raw<{ rows: { sum: string | null }[] }>(
      `SELECT sum(a.customer_count) AS sum FROM wss_wecom_accounts a
       WHERE EXISTS (SELECT 1 FROM wss_store_accounts sa WHERE sa.account_id = a.id AND ${countedBindingSql('sa')})`,
    );
    return Number(rows[0]?.sum ?? 0);
  }

  async function state(knex: Knex, lock = false) {
    if (lock || !(await knex(STATE).where('id', 1).first('id'))) await knex(STATE).insert({ id: 1 }).onConflict('id').ignore();
    const query = knex(STATE).where('id', 1);
    if (lock) query.forUpdate();
    return (await query.first()) as { purchased_scale: number | null; distinct_customers: number | null; live_sum_at_count: number | null; counted_at: Date | null };
  }

  async function totalOf(knex: Knex, lock = false) {
    const row = await state(knex, lock);
    const sum = await liveSum(knex);
    // Before the first sync only the (not de-duplicated) live counts are known.
    const total = row.distinct_customers === null ? sum : Math.max(0, row.distinct_customers + sum - (row.live_sum_at_count ?? 0));
    return { row, total, deduplicated: row.distinct_customers !== null };
  }

  async function forecastOf(knex: Knex, total: number, scale: number) {
    const since = (await knex(SAMPLES).where('hour', '>=', knex.raw(`now() - make_interval(days => ?)`, [deps.forecastWindowDays])).orderBy('hour').first()) as { hour: Date; total: number } | undefined;
    return forecastFill({ count: total, limit: scale, levels, since: since ? { at: since.hour, count: since.total } : null, now: new Date() });
  }

  async function view(knex: Knex = db): Promise<EnterpriseCapacityBody> {
    const { row, total, deduplicated } = await totalOf(knex);
    const scale = row.purchased_scale;
    return {
      purchasedScale: scale,
      total,
      deduplicated,
      percent: scale ? Math.floor((total * 100) / scale) : null,
      countedAt: row.counted_at?.toISOString() ?? null,
      levels: [...levels],
      forecast: scale ? await forecastOf(knex, total, scale) : null,
    };
  }

  async function checkIn(trx: Knex.Transaction): Promise<number> {
    // Called after every applied callback: nothing is written or locked until HQ sets a scale.
    const current = (await trx(STATE).where('id', 1).first('purchased_scale')) as { purchased_scale: number | null } | undefined;
    if (!current?.purchased_scale) return 0;
    let rows = (await trx(LEVELS).whereIn('level', levels).orderBy('level').forUpdate()) as { level: number; armed: boolean; crossings: number }[];
    if (rows.length < levels.length) {
      await trx(LEVELS).insert(levels.map((level) => ({ level }))).onConflict('level').ignore();
      rows = (await trx(LEVELS).whereIn('level', levels).orderBy('level').forUpdate()) as typeof rows;
    }
    const { row, total } = await totalOf(trx);
    const scale = row.purchased_scale;
    if (!scale) return 0;
    await trx.raw(`INSERT INTO ${SAMPLES} (hour, total) VALUES (date_trunc('hour', now()), ?) ON CONFLICT (hour) DO NOTHING`, [total]);
    const percent = (total * 100) / scale;
    let warn: { level: number; crossings: number } | null = null;
    for (const r of rows) {
      if (r.armed && percent >= r.level) {
        warn = { level: r.level, crossings: r.crossings + 1 };
        await trx(LEVELS).where('level', r.level).update({ armed: false, crossings: r.crossings + 1, updated_at: trx.fn.now() });
      } else if (!r.armed && percent < r.level - deps.rearmMargin) {
        await trx(LEVELS).where('level', r.level).update({ armed: true, updated_at: trx.fn.now() });
      }
    }
    if (!warn) return 0;
    const forecast = await forecastOf(trx, total, scale);
    const prediction = forecastText(forecast);
    const text = `企业客户总数 ${total} 人，已达到已购买规模 ${scale} 人的 ${warn.level}%（${Math.floor(percent)}%），请及时扩容。${prediction ? `\n${prediction}` : ''}`;
    const message: AlertMessage = {
      key: `enterprise:${warn.level}:${warn.crossings}`,
      kind: 'enterprise_capacity',
      text,
      branchIds: [],
      hqOnly: true,
      details: { total, scale, level: warn.level, forecast },
    };
    return deps.alerts.enqueue(trx, [message]);
  }

  return {
    async recordDistinct(distinct) {
      await db.transaction(async (trx) => {
        await state(trx, true);
        await trx(STATE).where('id', 1).update({ distinct_customers: distinct, live_sum_at_count: await liveSum(trx), counted_at: trx.fn.now() });
      });
    },

    check: () => db.transaction(checkIn),

    view: () => view(),

    async setPurchasedScale(actor, scale, reason) {
      await db.transaction(async (trx) => {
        const before = await state(trx, true);
        await trx(STATE).where('id', 1).update({ purchased_scale: scale, updated_by: actor.id, updated_at: trx.fn.now() });
        await writeAudit(trx, authorOf(actor), [
          { action: 'capacity.enterprise_scale.update', entityType: 'enterprise', entityId: 'enterprise', before: { scale: before.purchased_scale }, after: { scale }, reason: reason ?? null },
        ]);
        await checkIn(trx);
      });
      return view();
    },
  };
}
