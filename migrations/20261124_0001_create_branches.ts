import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_branches', (t) => {
    t.text('id').primary({ constraintName: 'wss_branches_pkey' }).comment('Host CRM branch id');
    t.text('name').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_branches');
}
