import type { Knex } from 'knex';

/** HQ's choice per store: the mini program + QR (default, no row) or the acquisition link + QR fallback. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_store_guide_modes', (t) => {
    t.text('store_id').primary({ constraintName: 'wss_store_guide_modes_pkey' })
      .references('id').inTable('wss_stores').withKeyName('wss_store_guide_modes_store_fkey').onDelete('CASCADE');
    t.text('mode').notNullable();
    t.text('updated_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("?? IN ('mini_program', 'link')", ['mode'], 'wss_store_guide_modes_mode_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_store_guide_modes');
}
