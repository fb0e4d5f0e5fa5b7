import type { Knex } from 'knex';

/**
 * Days whose metrics can have changed since they were rolled up (a late event, an add dated by
 * WeCom's createtime, events of a store the directory learnt of later). The rollup rebuilds them and
 * removes the rows it took.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_dirty_days', (t) => {
    t.date('day').notNullable();
    t.timestamp('marked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['day'], { constraintName: 'wss_metrics_dirty_days_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_dirty_days');
}
