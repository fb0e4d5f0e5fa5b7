import type { Knex } from 'knex';

/**
 * One customer's visit to the add-guide page: which contact way (and so which WeCom `state`) it was
 * shown, so a later add_external_contact callback can be attributed to it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_guide_visits', (t) => {
    t.text('id').primary({ constraintName: 'wss_guide_visits_pkey' });
    t.text('store_id').notNullable();
    t.text('visitor_id').notNullable();
    t.text('order_id');
    t.text('client_type').notNullable();
    t.text('source').notNullable().comment("'pool' (leased per-visit way), 'store' (store-level live code) or 'none'");
    t.text('state').comment('WeCom contact-way state shown to this visit');
    t.text('config_id');
    t.text('qr_code');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('lease_until', { useTz: true }).notNullable();
    t.timestamp('confirmed_at', { useTz: true }).comment('When an add was attributed to this visit');
    t.check("?? IN ('pool', 'store', 'none')", ['source'], 'wss_guide_visits_source_check');
    t.index(['state', 'created_at'], 'wss_guide_visits_state_created_idx');
    t.index(['store_id', 'visitor_id', 'created_at'], 'wss_guide_visits_store_visitor_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_guide_visits');
}
