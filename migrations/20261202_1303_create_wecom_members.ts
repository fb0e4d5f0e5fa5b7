import type { Knex } from 'knex';

/**
 * The WeCom members the app may see (its visible range, department by department), cached so the
 * member picker searches names without asking WeCom on every key press.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_members', (t) => {
    t.text('userid').primary({ constraintName: 'wss_wecom_members_pkey' });
    t.text('name').notNullable().defaultTo('');
    t.smallint('status').comment('user/list status: 1 active, 2 disabled, 4 not activated, 5 left');
    t.specificType('departments', 'integer[]').notNullable().defaultTo('{}');
    t.integer('main_department');
    t.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_wecom_members');
}
