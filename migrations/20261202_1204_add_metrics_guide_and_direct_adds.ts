import type { Knex } from 'knex';

/**
 * Two more stages: 6 = a guide visitor whose guide visit received an add attributed through
 * `state` (counted on the day and at the store of the guide view, so it is a share of guide
 * visitors), 7 = a customer whose add came without a guide visit (plain store code, other channels).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE wss_metrics_visitor_days DROP CONSTRAINT wss_metrics_visitor_days_stage_check');
  await knex.raw('ALTER TABLE wss_metrics_visitor_days ADD CONSTRAINT wss_metrics_visitor_days_stage_check CHECK (stage BETWEEN 1 AND 7)');
  await knex.schema.alterTable('wss_metrics_store_days', (t) => {
    t.integer('guide_adds').notNullable().defaultTo(0);
    t.integer('direct_adds').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_metrics_store_days', (t) => {
    t.dropColumn('guide_adds');
    t.dropColumn('direct_adds');
  });
  await knex.raw('DELETE FROM wss_metrics_visitor_days WHERE stage > 5');
  await knex.raw('DELETE FROM wss_metrics_first_visits WHERE stage > 5');
  await knex.raw('ALTER TABLE wss_metrics_visitor_days DROP CONSTRAINT wss_metrics_visitor_days_stage_check');
  await knex.raw('ALTER TABLE wss_metrics_visitor_days ADD CONSTRAINT wss_metrics_visitor_days_stage_check CHECK (stage BETWEEN 1 AND 5)');
}
