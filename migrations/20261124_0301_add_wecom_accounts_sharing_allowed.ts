import type { Knex } from 'knex';

/** HQ (bindings:share) may let one account serve several stores; by default it serves one. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_wecom_accounts', (t) => {
    t.boolean('sharing_allowed').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_wecom_accounts', (t) => {
    t.dropColumn('sharing_allowed');
  });
}
