import type { Knex } from 'knex';

/**
 * Binding status per day, for the rollout's trend: per branch (unit = branch id) and for HQ
 * (unit ''). The metrics rollup rewrites today's rows on each run, so a day's row is its last status.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_binding_rate_snapshots', (t) => {
    t.date('day').notNullable();
    t.text('unit').notNullable().comment("Branch id, or '' for the whole enterprise");
    t.integer('open_stores').notNullable();
    t.integer('bound_stores').notNullable();
    t.integer('unusable_only_stores').notNullable();
    t.timestamp('taken_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['unit', 'day'], { constraintName: 'wss_binding_rate_snapshots_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_binding_rate_snapshots');
}
