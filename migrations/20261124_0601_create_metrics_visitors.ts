import type { Knex } from 'knex';

/**
 * Metrics dictionary: every visitor id (and, for confirmed adds, external_userid) seen by the rollup
 * gets a small integer, so the per-day fact table stays narrow and distinct counts compare ints.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_visitors', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY');
    t.primary(['id'], { constraintName: 'wss_metrics_visitors_pkey' });
    t.text('key').notNullable().unique({ indexName: 'wss_metrics_visitors_key_key' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_visitors');
}
