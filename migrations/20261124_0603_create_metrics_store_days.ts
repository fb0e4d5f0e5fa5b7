import type { Knex } from 'knex';

/** Per store × day funnel counts (distinct within that day): the flat export sheet and store trends. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_store_days', (t) => {
    t.text('store_id').notNullable();
    t.date('day').notNullable();
    t.text('branch_id').notNullable();
    t.integer('order_result_visitors').notNullable().defaultTo(0);
    t.integer('entry_clickers').notNullable().defaultTo(0);
    t.integer('guide_visitors').notNullable().defaultTo(0);
    t.integer('add_clickers').notNullable().defaultTo(0);
    t.integer('confirmed_adds').notNullable().defaultTo(0);
    t.timestamp('computed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['store_id', 'day'], { constraintName: 'wss_metrics_store_days_pkey' });
    t.index(['day', 'branch_id'], 'wss_metrics_store_days_day_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_store_days');
}
