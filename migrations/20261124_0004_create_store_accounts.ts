import type { Knex } from 'knex';

/**
 * Store ↔ account bindings with their history: a row is never deleted, it is ended.
 * role: primary (takes new customers), backup (takes over when the primary is full),
 * retired (replaced full account that keeps serving its existing customers).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_store_accounts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_store_accounts_pkey' });
    t.text('store_id').notNullable().references('id').inTable('wss_stores').withKeyName('wss_store_accounts_store_id_fkey');
    t.bigInteger('account_id')
      .notNullable()
      .references('id')
      .inTable('wss_wecom_accounts')
      .withKeyName('wss_store_accounts_account_id_fkey');
    t.text('role').notNullable();
    t.timestamp('bound_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('bound_by').notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.text('ended_by');
    t.text('end_reason');
    t.check("?? IN ('primary', 'backup', 'retired')", ['role'], 'wss_store_accounts_role_check');
    t.index(['account_id'], 'wss_store_accounts_account_id_idx');
    t.index(['store_id', 'bound_at'], 'wss_store_accounts_store_history_idx');
  });
  await knex.raw(
    `CREATE UNIQUE INDEX wss_store_accounts_one_primary_idx ON wss_store_accounts (store_id)
     WHERE role = 'primary' AND ended_at IS NULL`,
  );
  await knex.raw(
    `CREATE UNIQUE INDEX wss_store_accounts_active_pair_idx ON wss_store_accounts (store_id, account_id)
     WHERE ended_at IS NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_store_accounts');
}
