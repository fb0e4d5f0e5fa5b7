import type { Knex } from 'knex';

/** The enterprise total once an hour, for the forecast. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_enterprise_capacity_samples', (t) => {
    t.timestamp('hour', { useTz: true }).notNullable();
    t.primary(['hour'], { constraintName: 'wss_enterprise_capacity_samples_pkey' });
    t.integer('total').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_enterprise_capacity_samples');
}
