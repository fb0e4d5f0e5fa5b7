import type { Knex } from 'knex';

/**
 * Exact rollup facts: one row per funnel stage × visitor × store × day (Asia/Shanghai day).
 * stage: 1 order-result view, 2 entry click, 3 guide view, 4 add click, 5 confirmed add (visitor =
 * the customer's external_userid). branch_id is the store's branch when the day was rolled up.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_visitor_days', (t) => {
    t.smallint('stage').notNullable();
    t.integer('visitor').notNullable();
    t.text('store_id').notNullable();
    t.text('branch_id').notNullable();
    t.date('day').notNullable();
    t.primary(['stage', 'visitor', 'store_id', 'day'], { constraintName: 'wss_metrics_visitor_days_pkey' });
    t.check('?? BETWEEN 1 AND 5', ['stage'], 'wss_metrics_visitor_days_stage_check');
    t.index(['day', 'branch_id'], 'wss_metrics_visitor_days_day_idx');
    t.index(['store_id', 'day'], 'wss_metrics_visitor_days_store_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_visitor_days');
}
