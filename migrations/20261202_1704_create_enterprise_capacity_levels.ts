import type { Knex } from 'knex';

/** Hysteresis state of each enterprise-wide warning level (as wss_capacity_levels per account). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_enterprise_capacity_levels', (t) => {
    t.smallint('level').notNullable();
    t.primary(['level'], { constraintName: 'wss_enterprise_capacity_levels_pkey' });
    t.boolean('armed').notNullable().defaultTo(true);
    t.integer('crossings').notNullable().defaultTo(0);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_enterprise_capacity_levels');
}
