import type { Knex } from 'knex';

/** Access-token cache shared by every host process (see plugin/wecom/token-store.ts). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_tokens', (table) => {
    table.text('cache_key').notNullable();
    table.text('access_token').notNullable();
    table.timestamp('usable_until', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.primary(['cache_key'], { constraintName: 'wss_wecom_tokens_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wss_wecom_tokens');
}
