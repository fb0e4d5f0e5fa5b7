import type { Knex } from 'knex';

/** When the rollups were last rebuilt (scheduled or asked by HQ) and which days: the dashboard's freshness. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_rollup_runs', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_metrics_rollup_runs_pkey' });
    t.timestamp('finished_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.date('from_day').notNullable();
    t.date('to_day').notNullable();
    t.integer('dirty_days').notNullable().defaultTo(0);
    t.text('trigger').notNullable().comment("'job' or 'refresh'");
    t.index(['finished_at'], 'wss_metrics_rollup_runs_finished_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_rollup_runs');
}
