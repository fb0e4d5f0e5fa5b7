import type { Knex } from 'knex';

/** Last reconcile of each account with WeCom's list: the drift it found, or why it could not count. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_capacity_sync_state', (t) => {
    t.bigInteger('account_id')
      .primary({ constraintName: 'wss_capacity_sync_state_pkey' })
      .references('id')
      .inTable('wss_wecom_accounts')
      .onDelete('CASCADE')
      .withKeyName('wss_capacity_sync_state_account_id_fkey');
    t.integer('live_count').comment('Callback-kept count just before the reconcile');
    t.integer('wecom_count').comment('Length of externalcontact/list');
    t.integer('drift').comment('wecom_count - live_count');
    t.text('error');
    t.timestamp('checked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_capacity_sync_state');
}
