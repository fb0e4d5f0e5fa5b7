import type { Knex } from 'knex';

/**
 * Where a store's new customers go because of capacity: 'primary' (normal), 'backup' (primary at the
 * hard level) or 'none' (no account has room: entry hidden). No row = 'primary'.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_capacity_routes', (t) => {
    t.text('store_id')
      .primary({ constraintName: 'wss_capacity_routes_pkey' })
      .references('id')
      .inTable('wss_stores')
      .withKeyName('wss_capacity_routes_store_id_fkey');
    t.text('routed_to').notNullable().defaultTo('primary');
    t.text('account_userid').comment('The account new customers go to; null when none has room');
    t.integer('changes').notNullable().defaultTo(0).comment('Numbers each change: idempotency of the HQ notice');
    t.text('reason');
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("?? IN ('primary', 'backup', 'none')", ['routed_to'], 'wss_capacity_routes_routed_to_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_capacity_routes');
}
