import type { Knex } from 'knex';

/**
 * The rollup looks up each person's last day before a rebuilt range, overall and per branch:
 * max(day) … WHERE stage = ? AND visitor = ? AND day < ? GROUP BY branch_id. With branch_id carried in
 * the primary key's leaf entries that is an index-only scan of a few entries, without a second index
 * on (stage, visitor) that every fact insert would also have to write. See docs/metrics.md, "Rollups".
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE wss_metrics_visitor_days
    DROP CONSTRAINT wss_metrics_visitor_days_pkey,
    ADD CONSTRAINT wss_metrics_visitor_days_pkey PRIMARY KEY (stage, visitor, store_id, day) INCLUDE (branch_id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE wss_metrics_visitor_days
    DROP CONSTRAINT wss_metrics_visitor_days_pkey,
    ADD CONSTRAINT wss_metrics_visitor_days_pkey PRIMARY KEY (stage, visitor, store_id, day)`);
}
