import type { Knex } from 'knex';

/**
 * One WeCom "Contact Me" live code per store (add_contact_way type=1, scene=2). `state` identifies
 * the store in add events and follow_info; `account_userids` is where new customers go right now.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_store_live_codes', (t) => {
    t.text('store_id')
      .primary({ constraintName: 'wss_store_live_codes_pkey' })
      .references('id')
      .inTable('wss_stores')
      .withKeyName('wss_store_live_codes_store_id_fkey');
    t.text('config_id').notNullable().unique({ indexName: 'wss_store_live_codes_config_id_key' });
    t.text('qr_code');
    t.text('state').notNullable().unique({ indexName: 'wss_store_live_codes_state_key' });
    t.specificType('account_userids', 'text[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('char_length(??) <= 30', ['state'], 'wss_store_live_codes_state_length_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_store_live_codes');
}
