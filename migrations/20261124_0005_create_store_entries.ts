import type { Knex } from 'knex';

/** Per-store visibility of the customer entry. No row = hidden. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_store_entries', (t) => {
    t.text('store_id').primary({ constraintName: 'wss_store_entries_pkey' }).references('id').inTable('wss_stores').withKeyName('wss_store_entries_store_id_fkey');
    t.boolean('visible').notNullable().defaultTo(false);
    t.text('reason').comment('Why it was last shown or hidden (operator text or an automatic reason)');
    t.text('hidden_automatically').comment("Set when the system hid it: 'no_active_account', 'account_disabled', 'capacity_full'");
    t.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('changed_by').notNullable();
    t.integer('version').notNullable().defaultTo(1).comment('Bumped on every change; feeds the entry ETag');
    t.index(['visible'], 'wss_store_entries_visible_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_store_entries');
}
