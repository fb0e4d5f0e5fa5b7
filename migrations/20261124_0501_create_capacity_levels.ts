import type { Knex } from 'knex';

/**
 * Threshold state per account × level (hysteresis): a level fires once when the fill crosses it
 * (armed → false, crossings + 1) and re-arms only after the fill falls below it by the margin.
 * `crossings` numbers each crossing, so a warning's idempotency key is stable per crossing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_capacity_levels', (t) => {
    t.bigInteger('account_id')
      .notNullable()
      .references('id')
      .inTable('wss_wecom_accounts')
      .onDelete('CASCADE')
      .withKeyName('wss_capacity_levels_account_id_fkey');
    t.smallint('level').notNullable().comment('Percent of the capacity limit, 1..100');
    t.boolean('armed').notNullable().defaultTo(true);
    t.integer('crossings').notNullable().defaultTo(0);
    t.timestamp('crossed_at', { useTz: true });
    t.timestamp('rearmed_at', { useTz: true });
    t.primary(['account_id', 'level'], { constraintName: 'wss_capacity_levels_pkey' });
    t.check('?? BETWEEN 1 AND 100', ['level'], 'wss_capacity_levels_level_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_capacity_levels');
}
