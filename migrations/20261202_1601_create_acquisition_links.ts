import type { Knex } from 'knex';

/** One customer acquisition link (获客链接) per serving account, for stores in link guide mode. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_acquisition_links', (t) => {
    t.text('account_userid').primary({ constraintName: 'wss_acquisition_links_pkey' });
    t.text('link_id').notNullable().unique({ indexName: 'wss_acquisition_links_link_id_key' });
    t.text('url').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.text('status_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("?? IN ('active', 'unavailable')", ['status'], 'wss_acquisition_links_status_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_acquisition_links');
}
