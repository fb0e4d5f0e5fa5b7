import type { Knex } from 'knex';

/** Encrypted mini-program URL schemes (generatescheme, ≤30 days), cached across host processes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_mini_program_schemes', (t) => {
    t.text('cache_key').primary({ constraintName: 'wss_mini_program_schemes_pkey' }).comment('appid|path|query');
    t.text('openlink').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_mini_program_schemes');
}
