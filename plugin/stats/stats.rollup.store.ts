import type { Knex } from 'knex';
import { CONFIRMED_ADD } from '../tracking/index.js';
import { addDays, dayBatches } from '../core/days.js';
import { LOCKS, xactLock } from '../core/locks.js';
import { DIRECT_ADD_STAGE, EVENT_STAGES, GUIDE_ADD_STAGE, GUIDE_VIEW } from './stats.definitions.js';

export interface RollupCounts {
  visitorsAdded: number;
  /** Fact rows inserted, moved to another branch or deleted (unchanged facts are not rewritten). */
  visitorDays: number;
  storeDays: number;
  firstVisitRows: number;
}

const FACTS = 'wss_metrics_visitor_days';
/** Days of facts rebuilt per statement (see rebuild): a quarter, so a 91-day backfill is one batch. */
export const FACT_BATCH_DAYS = 92;

type Range = { from: string; to: string };

/**
 * Knex only: rebuilds the metrics rollups for a day range inside the caller's transaction.
 * Idempotent: every step recomputes its rows for the range, so re-running a range changes nothing.
 * Why it is fast enough: docs/metrics.md, "Rollups".
 */
export function createMetricsRollupStore(opts: { factBatchDays?: number } = {}) {
  const batchDays = opts.factBatchDays ?? FACT_BATCH_DAYS;
  const stageCase = `CASE e.type ${EVENT_STAGES.map((s) => `WHEN '${s.type}' THEN ${s.stage}`).join(' ')} END`;
  const types = EVENT_STAGES.map((s) => s.type);
  // Who is counted: the visitor, except for confirmed adds, which count the WeCom customer.
  const keyExpr = `CASE WHEN e.type = '${CONFIRMED_ADD}' THEN coalesce(e.props->>'externalUserid', e.visitor_id) ELSE e.visitor_id END`;
  // The facts of a range as the events say now. Events of stores the directory does not know are
  // left out (tracking refuses them anyway). A fact carries the branch the store belonged to on the
  // event's day (store → branch history), so a store that moves keeps its past where it was.
  // Stage 6 is the guide visitor (on the guide view's day and store) whose visit received an add;
  // stage 7 the customer whose add came without a guide visit. Primary-key order, so inserts append.
  const freshFacts = `SELECT DISTINCT ev.stage, v.id AS visitor, ev.store_id, coalesce(h.branch_id, s.branch_id) AS branch_id, ev.day
    FROM (
      SELECT ${stageCase} AS stage, ${keyExpr} AS k, e.store_id, e.day FROM wss_tracking_events e
      WHERE e.day BETWEEN :from::date AND :to::date AND e.type = ANY(:types)
      UNION ALL
      SELECT ${GUIDE_ADD_STAGE}, e.visitor_id, e.store_id, e.day FROM wss_tracking_events e
      WHERE e.day BETWEEN :from::date AND :to::date AND e.type = '${GUIDE_VIEW}' AND e.guide_visit_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM wss_tracking_events a WHERE a.guide_visit_id = e.guide_visit_id AND a.type = '${CONFIRMED_ADD}')
      UNION ALL
      SELECT ${DIRECT_ADD_STAGE}, ${keyExpr}, e.store_id, e.day FROM wss_tracking_events e
      WHERE e.day BETWEEN :from::date AND :to::date AND e.type = '${CONFIRMED_ADD}' AND e.guide_visit_id IS NULL
    ) ev
    JOIN wss_metrics_visitors v ON v.key = ev.k
    JOIN wss_stores s ON s.id = ev.store_id
    LEFT JOIN wss_store_branch_history h
      ON h.store_id = ev.store_id AND ev.day >= h.valid_from AND (h.valid_to IS NULL OR ev.day < h.valid_to)
    ORDER BY stage, visitor, store_id, day`;
  const sameFact = (a: string, b: string) => `(${a}.stage, ${a}.visitor, ${a}.store_id, ${a}.day) = (${b}.stage, ${b}.visitor, ${b}.store_id, ${b}.day)`;

  const exists = async (trx: Knex.Transaction, sql: string, params: Record<string, unknown>) =>
    Boolean((await trx.raw<{ rows: { found: boolean }[] }>(`SELECT EXISTS (${sql}) AS found`, params)).rows[0]?.found);

  /** Dictionary, facts and store × day counts of one batch of days. */
  async function rebuildFacts(trx: Knex.Transaction, range: Range): Promise<Omit<RollupCounts, 'firstVisitRows'>> {
    const params = { ...range, types };
    // Sorted, so a large batch appends to the key index instead of splitting pages all over it.
    const added = await trx.raw<{ rowCount: number }>(
      `INSERT INTO wss_metrics_visitors (key)
       SELECT keys.k FROM (
         SELECT DISTINCT ${keyExpr} AS k FROM wss_tracking_events e
         WHERE e.day BETWEEN :from::date AND :to::date AND e.type = ANY(:types)
       ) keys
       WHERE NOT EXISTS (SELECT 1 FROM wss_metrics_visitors v WHERE v.key = keys.k)
       ORDER BY keys.k
       ON CONFLICT (key) DO NOTHING`,
      params,
    );

    // Facts. Days never rolled up (backfill) are a plain insert. Otherwise only the difference is
    // written: the scheduled run re-reads two days whose facts almost all exist already, and
    // rewriting them would churn three indexes and keep those pages from ever being all-visible.
    let visitorDays = 0;
    if (!(await exists(trx, `SELECT 1 FROM ${FACTS} WHERE day BETWEEN :from::date AND :to::date`, params))) {
      visitorDays = (await trx.raw<{ rowCount: number }>(`INSERT INTO ${FACTS} (stage, visitor, store_id, branch_id, day) ${freshFacts}`, params)).rowCount;
    } else {
      // One read of the range's existing facts; the changes are worked out in memory, and the
      // delete and update only touch the facts that changed (none, most of the time).
      const inRange = `f.day BETWEEN :from::date AND :to::date`;
      const diff = await trx.raw<{ rows: { changed: string }[] }>(
        `WITH fresh AS MATERIALIZED (${freshFacts}),
         existing AS MATERIALIZED (SELECT stage, visitor, store_id, branch_id, day FROM ${FACTS} f WHERE ${inRange}),
         changes AS MATERIALIZED (
           SELECT coalesce(x.stage, f.stage) AS stage, coalesce(x.visitor, f.visitor) AS visitor,
                  coalesce(x.store_id, f.store_id) AS store_id, coalesce(x.day, f.day) AS day, x.branch_id,
                  x.stage IS NULL AS gone, f.stage IS NULL AS added
           FROM fresh x FULL JOIN existing f ON ${sameFact('x', 'f')}
           WHERE x.stage IS NULL OR f.stage IS NULL OR x.branch_id <> f.branch_id
         ),
         gone AS (
           DELETE FROM ${FACTS} f USING changes c WHERE c.gone AND ${inRange} AND ${sameFact('c', 'f')} RETURNING 1
         ),
         moved AS (
           UPDATE ${FACTS} f SET branch_id = c.branch_id FROM changes c
           WHERE NOT c.gone AND NOT c.added AND ${inRange} AND ${sameFact('c', 'f')} RETURNING 1
         ),
         added AS (
           INSERT INTO ${FACTS} (stage, visitor, store_id, branch_id, day)
           SELECT stage, visitor, store_id, branch_id, day FROM changes WHERE added ORDER BY stage, visitor, store_id, day
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM added) AS changed`,
        params,
      );
      visitorDays = Number(diff.rows[0]?.changed ?? 0);
    }

    await trx.raw('DELETE FROM wss_metrics_store_days WHERE day BETWEEN :from::date AND :to::date', params);
    const storeDays = await trx.raw<{ rowCount: number }>(
      `INSERT INTO wss_metrics_store_days
         (store_id, day, branch_id, order_result_visitors, entry_clickers, guide_visitors, add_clickers, confirmed_adds,
          guide_adds, direct_adds)
       SELECT store_id, day, min(branch_id),
              count(*) FILTER (WHERE stage = 1), count(*) FILTER (WHERE stage = 2), count(*) FILTER (WHERE stage = 3),
              count(*) FILTER (WHERE stage = 4), count(*) FILTER (WHERE stage = 5),
              count(*) FILTER (WHERE stage = ${GUIDE_ADD_STAGE}), count(*) FILTER (WHERE stage = ${DIRECT_ADD_STAGE})
       FROM ${FACTS} WHERE day BETWEEN :from::date AND :to::date
       GROUP BY store_id, day
       ORDER BY store_id, day`,
      params,
    );
    return { visitorsAdded: added.rowCount, visitorDays, storeDays: storeDays.rowCount };
  }

  /**
   * First-visit rows of every day from `from` on (a person's previous day can change for any later
   * day too), both levels in one pass: the facts are sorted once by (stage, visitor, day), the branch
   * window re-sorts only within each person (incremental sort), and a fact whose previous day is its
   * own day (same person, same day, another store) is not a first visit. Each person seen since `from`
   * needs their last day before `from` at each branch: one index-only lookup per person
   * (the primary key carries branch_id) instead of scanning history; skipped when there is none.
   */
  async function rebuildFirstVisits(trx: Knex.Transaction, from: string): Promise<number> {
    const params = { from };
    await trx.raw('DELETE FROM wss_metrics_first_visits WHERE day >= :from::date', params);
    const hasHistory = await exists(trx, `SELECT 1 FROM ${FACTS} WHERE day < :from::date`, params);
    const prior = hasHistory
      ? `UNION ALL
         SELECT k.stage, k.visitor, p.branch_id, p.day
         FROM (SELECT DISTINCT stage, visitor FROM recent ORDER BY stage, visitor) k
         CROSS JOIN LATERAL (
           SELECT f.branch_id, max(f.day) AS day FROM ${FACTS} f
           WHERE f.stage = k.stage AND f.visitor = k.visitor AND f.day < :from::date
           GROUP BY f.branch_id
         ) p`
      : '';
    const result = await trx.raw<{ rowCount: number }>(
      `WITH recent AS ${hasHistory ? '' : 'NOT '}MATERIALIZED (SELECT stage, visitor, branch_id, day FROM ${FACTS} WHERE day >= :from::date),
       sequenced AS (
         SELECT stage, branch_id, day,
                coalesce(lag(day) OVER (PARTITION BY stage, visitor ORDER BY day), '-infinity'::date) AS prev_all,
                coalesce(lag(day) OVER (PARTITION BY stage, visitor, branch_id ORDER BY day), '-infinity'::date) AS prev_branch
         FROM (SELECT * FROM recent ${prior}) x
       ), counted AS (
         SELECT stage, branch_id, day,
                CASE WHEN prev_all < day THEN prev_all END AS prev_all,
                CASE WHEN prev_branch < day THEN prev_branch END AS prev_branch
         FROM sequenced WHERE day >= :from::date
       )
       INSERT INTO wss_metrics_first_visits (level, unit, stage, day, prev_day, visitors)
       SELECT CASE WHEN GROUPING(branch_id) = 1 THEN 'all' ELSE 'branch' END, coalesce(branch_id, ''), stage, day,
              coalesce(prev_all, prev_branch), count(*)
       FROM counted
       GROUP BY GROUPING SETS ((stage, day, prev_all), (branch_id, stage, day, prev_branch))
       HAVING (GROUPING(branch_id) = 1 AND prev_all IS NOT NULL) OR (GROUPING(branch_id) = 0 AND prev_branch IS NOT NULL)`,
      params,
    );
    return result.rowCount;
  }

  return {
    /** Serialises rollups (job and manual runs) for the rest of the transaction. */
    async lock(trx: Knex.Transaction): Promise<void> {
      await xactLock(trx, LOCKS.statsRollup());
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

    /**
     * Facts, dictionary and store × day counts a batch of days at a time (a year's backfill does not
     * sort and hash a year at once), then the first-visit rows once. Batches are long because each
     * one re-walks the primary key: one batch appends to it, several split pages all over it.
     */
    async rebuild(trx: Knex.Transaction, range: Range): Promise<RollupCounts> {
      return rebuildRanges(trx, [range]);
    },

    /** Several day ranges (the acceptance window and dirty days); first visits once, from the earliest. */
    rebuildRanges,

    /**
     * Takes the dirty days (late events, adds dated by WeCom, stores learnt of later) before the
     * facts are read: an event committed after this statement marks its day again, so nothing is
     * lost between taking the marks and reading the events.
     */
    async takeDirtyDays(trx: Knex.Transaction): Promise<string[]> {
      const rows = await trx.raw<{ rows: { day: string }[] }>('DELETE FROM wss_metrics_dirty_days RETURNING day::text AS day');
      return rows.rows.map((r) => r.day).sort();
    },

    /** Records a finished rebuild (inside its transaction): what the dashboard's freshness line reads. */
    async recordRun(trx: Knex.Transaction, run: { from: string; to: string; dirtyDays: number; trigger: 'job' | 'refresh' }): Promise<void> {
      await trx('wss_metrics_rollup_runs').insert({ from_day: run.from, to_day: run.to, dirty_days: run.dirtyDays, trigger: run.trigger, finished_at: trx.raw('clock_timestamp()') });
      // Keeps a week of runs.
      await trx('wss_metrics_rollup_runs').where('finished_at', '<', trx.raw("now() - interval '7 days'")).del();
    },

    /** Days the rollup should rebuild on its next run (a failed run leaves them marked: it rolls back). */
    async dirtyDays(db: Knex): Promise<string[]> {
      return (await db('wss_metrics_dirty_days').orderBy('day').select(db.raw('day::text AS day'))).map((r: { day: string }) => r.day);
    },
  };

  async function rebuildRanges(trx: Knex.Transaction, ranges: Range[]): Promise<RollupCounts> {
    const counts: RollupCounts = { visitorsAdded: 0, visitorDays: 0, storeDays: 0, firstVisitRows: 0 };
    if (!ranges.length) return counts;
    for (const range of ranges) {
      for (const days of dayBatches(range, batchDays)) {
        const batch = await rebuildFacts(trx, days);
        counts.visitorsAdded += batch.visitorsAdded;
        counts.visitorDays += batch.visitorDays;
        counts.storeDays += batch.storeDays;
      }
    }
    counts.firstVisitRows = await rebuildFirstVisits(trx, ranges.map((r) => r.from).sort()[0]);
    return counts;
  }
}

/** Sorted days (and ranges) merged into the fewest contiguous ranges. */
export function mergeDayRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.from <= addDays(last.to, 1)) {
      if (r.to > last.to) last.to = r.to;
    } else {
      merged.push({ ...r });
    }
  }
  return merged;
}

export type MetricsRollupStore = ReturnType<typeof createMetricsRollupStore>;
