import type { Knex } from 'knex';

/**
 * The enterprise's acquisition quota as last synced (one row), and the open low/exhausted episodes:
 * a warning's key carries its episode's start, so each episode warns once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_acquisition_quota', (t) => {
    t.smallint('id').primary({ constraintName: 'wss_acquisition_quota_pkey' });
    t.integer('total').notNullable();
    t.integer('balance').notNullable();
    t.jsonb('packages').notNullable().defaultTo('[]');
    t.timestamp('low_since', { useTz: true });
    t.timestamp('exhausted_since', { useTz: true });
    t.timestamp('synced_at', { useTz: true }).notNullable();
    t.check('?? = 1', ['id'], 'wss_acquisition_quota_single_row_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_acquisition_quota');
}
