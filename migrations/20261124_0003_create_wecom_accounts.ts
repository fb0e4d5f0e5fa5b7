import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_accounts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_wecom_accounts_pkey' });
    t.text('userid').notNullable().unique({ indexName: 'wss_wecom_accounts_userid_key' });
    t.text('name').notNullable().defaultTo('');
    t.smallint('wecom_status').comment('user/get status: 1 active, 2 disabled, 4 not activated, 5 left');
    t.timestamp('status_checked_at', { useTz: true });
    t.integer('capacity_limit').notNullable().defaultTo(5000);
    t.integer('customer_count').notNullable().defaultTo(0).comment('Live count kept from callbacks');
    t.timestamp('counted_at', { useTz: true }).comment('When customer_count was last reconciled with WeCom');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('?? BETWEEN 1 AND 20000', ['capacity_limit'], 'wss_wecom_accounts_capacity_limit_check');
    t.check('?? >= 0', ['customer_count'], 'wss_wecom_accounts_customer_count_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_wecom_accounts');
}
