import type { Knex } from 'knex';

/** Hourly customer-count samples per account: the add rate behind the forecasts. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_capacity_samples', (t) => {
    t.bigInteger('account_id')
      .notNullable()
      .references('id')
      .inTable('wss_wecom_accounts')
      .onDelete('CASCADE')
      .withKeyName('wss_capacity_samples_account_id_fkey');
    t.timestamp('bucket', { useTz: true }).notNullable().comment('Start of the hour the sample belongs to');
    t.integer('customer_count').notNullable();
    t.primary(['account_id', 'bucket'], { constraintName: 'wss_capacity_samples_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_capacity_samples');
}
