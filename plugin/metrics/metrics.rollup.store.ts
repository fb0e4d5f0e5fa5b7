import type { Knex } from 'knex';
import { CONFIRMED_ADD } from '../tracking/tracking.schema.js';
import { EVENT_STAGES } from './metrics.definitions.js';

export interface RollupCounts {
  visitorsAdded: number;
  visitorDays: number;
  storeDays: number;
  firstVisitRows: number;
}

const ROLLUP_LOCK = 'wss:metrics-rollup';

/**
 * Knex only: rebuilds the metrics rollups for a day range inside the caller's transaction.
 * Idempotent: every step deletes what it is about to rebuild, so re-running a range changes nothing.
 */
export function createMetricsRollupStore() {
  const stageCase = `CASE e.type ${EVENT_STAGES.map((s) => `WHEN '${s.type}' THEN ${s.stage}`).join(' ')} END`;
  const eventTypes = EVENT_STAGES.map((s) => s.type);

  return {
    /** Serialises rollups (job and manual runs) for the rest of the transaction. */
    async lock(trx: Knex.Transaction): Promise<void> {
      await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [ROLLUP_LOCK]);
      // The rollup sorts and hashes whole day ranges; the default 4 MB spills to disk at once.
      await trx.raw("SET LOCAL work_mem = '128MB'");
    },

    /** First day with any event, to backfill everything on the very first run. */
    async firstEventDay(db: Knex): Promise<string | null> {
      const first = await db.raw<{ rows: { day: string | null }[] }>('SELECT min(day)::text AS day FROM wss_tracking_events');
      return first.rows[0]?.day ?? null;
    },

    async hasRollups(db: Knex): Promise<boolean> {
      return Boolean(await db('wss_metrics_store_days').first('store_id'));
    },

    async rebuild(trx: Knex.Transaction, range: { from: string; to: string }): Promise<RollupCounts> {
      const { from, to } = range;
      const params = { from, to, types: eventTypes };
      // Who is counted: the visitor, except for confirmed adds, which count the WeCom customer.
      const keyExpr = `CASE WHEN e.type = '${CONFIRMED_ADD}' THEN coalesce(e.props->>'externalUserid', e.visitor_id) ELSE e.visitor_id END`;

      const added = await trx.raw<{ rowCount: number }>(
        `INSERT INTO wss_metrics_visitors (key)
         SELECT keys.k FROM (
           SELECT DISTINCT ${keyExpr} AS k FROM wss_tracking_events e
           WHERE e.day BETWEEN :from::date AND :to::date AND e.type = ANY(:types)
         ) keys
         WHERE NOT EXISTS (SELECT 1 FROM wss_metrics_visitors v WHERE v.key = keys.k)
         ON CONFLICT (key) DO NOTHING`,
        params,
      );

      await trx.raw('DELETE FROM wss_metrics_visitor_days WHERE day BETWEEN :from::date AND :to::date', params);
      // Events of stores the directory does not know are left out (tracking refuses them anyway).
      const facts = await trx.raw<{ rowCount: number }>(
        `INSERT INTO wss_metrics_visitor_days (stage, visitor, store_id, branch_id, day)
         SELECT DISTINCT ${stageCase}, v.id, e.store_id, s.branch_id, e.day
         FROM wss_tracking_events e
         JOIN wss_metrics_visitors v ON v.key = ${keyExpr}
         JOIN wss_stores s ON s.id = e.store_id
         WHERE e.day BETWEEN :from::date AND :to::date AND e.type = ANY(:types)`,
        params,
      );

      await trx.raw('DELETE FROM wss_metrics_store_days WHERE day BETWEEN :from::date AND :to::date', params);
      const storeDays = await trx.raw<{ rowCount: number }>(
        `INSERT INTO wss_metrics_store_days
           (store_id, day, branch_id, order_result_visitors, entry_clickers, guide_visitors, add_clickers, confirmed_adds)
         SELECT store_id, day, min(branch_id),
                count(*) FILTER (WHERE stage = 1), count(*) FILTER (WHERE stage = 2), count(*) FILTER (WHERE stage = 3),
                count(*) FILTER (WHERE stage = 4), count(*) FILTER (WHERE stage = 5)
         FROM wss_metrics_visitor_days WHERE day BETWEEN :from::date AND :to::date
         GROUP BY store_id, day`,
        params,
      );

      // A visitor's "previous day" can change for any later day too, so first-visit rows are rebuilt
      // from `from` onwards; the visitor's last day before `from` is looked up through the primary key.
      await trx.raw('DELETE FROM wss_metrics_first_visits WHERE day >= :from::date', params);
      let firstVisitRows = 0;
      for (const level of [
        { level: 'all', unit: `''`, keys: 'stage, visitor' },
        { level: 'branch', unit: 'branch_id', keys: 'stage, visitor, branch_id' },
      ]) {
        const unitCol = level.level === 'all' ? '' : ', branch_id';
        const result = await trx.raw<{ rowCount: number }>(
          `WITH recent AS (
             SELECT DISTINCT stage, visitor${unitCol}, day FROM wss_metrics_visitor_days WHERE day >= :from::date
           ), prior AS (
             SELECT vd.stage, vd.visitor${unitCol ? ', vd.branch_id' : ''}, max(vd.day) AS day
             FROM wss_metrics_visitor_days vd
             JOIN (SELECT DISTINCT ${level.keys} FROM recent) k USING (${level.keys})
             WHERE vd.day < :from::date
             GROUP BY vd.stage, vd.visitor${unitCol ? ', vd.branch_id' : ''}
           ), sequenced AS (
             SELECT stage${unitCol}, day,
                    coalesce(lag(day) OVER (PARTITION BY ${level.keys} ORDER BY day), '-infinity'::date) AS prev_day
             FROM (SELECT * FROM recent UNION ALL SELECT * FROM prior) x
           )
           INSERT INTO wss_metrics_first_visits (level, unit, stage, day, prev_day, visitors)
           SELECT '${level.level}', ${level.unit}, stage, day, prev_day, count(*)
           FROM sequenced WHERE day >= :from::date
           GROUP BY ${level.unit === `''` ? '' : 'branch_id, '}stage, day, prev_day`,
          params,
        );
        firstVisitRows += result.rowCount;
      }

      return {
        visitorsAdded: added.rowCount,
        visitorDays: facts.rowCount,
        storeDays: storeDays.rowCount,
        firstVisitRows,
      };
    },
  };
}

export type MetricsRollupStore = ReturnType<typeof createMetricsRollupStore>;
