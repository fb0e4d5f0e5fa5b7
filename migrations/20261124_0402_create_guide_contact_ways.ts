import type { Knex } from 'knex';

/**
 * The pool of per-store "Contact Me" ways the guide page leases, one visit at a time, so each add
 * carries a state (`wss:v:<key>`) that names exactly one guide visit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_guide_contact_ways', (t) => {
    t.text('config_id').primary({ constraintName: 'wss_guide_contact_ways_pkey' });
    t.text('store_id').notNullable();
    t.text('state').notNullable().comment('wss:v:<key>, ≤30 chars');
    t.text('qr_code').notNullable();
    t.text('account_userid').notNullable().comment('The member the way adds to; a rebinding retires the way');
    t.text('leased_visit_id');
    t.timestamp('leased_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['state'], { indexName: 'wss_guide_contact_ways_state_key' });
    t.index(['store_id', 'leased_until'], 'wss_guide_contact_ways_store_lease_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_guide_contact_ways');
}
