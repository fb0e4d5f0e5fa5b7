import type { Knex } from 'knex';

/**
 * A proposal to hand a store account's customers over (继承) when its member left or HQ replaced
 * it: proposed by the plugin, approved or dismissed by HQ, then transferred in batches.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_handovers', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_handovers_pkey' });
    t.text('store_id').notNullable().references('id').inTable('wss_stores').withKeyName('wss_handovers_store_fkey');
    t.text('branch_id').notNullable();
    t.text('handover_userid').notNullable();
    t.text('kind').notNullable().comment("'service' (transfer_customer) or 'resigned' (resigned/transfer_customer)");
    t.text('reason').notNullable().comment("'member_left' or 'account_replaced'");
    t.text('status').notNullable().defaultTo('proposed').comment('proposed, approved, transferring, done, dismissed');
    t.specificType('takeover_userids', 'text[]').notNullable().defaultTo('{}').comment('Takers in order of preference (chosen at approval)');
    t.text('success_message').comment('transfer_success_msg (in service, ≤200 characters)');
    t.timestamp('proposed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.check("?? IN ('service', 'resigned')", ['kind'], 'wss_handovers_kind_check');
    t.check("?? IN ('member_left', 'account_replaced')", ['reason'], 'wss_handovers_reason_check');
    t.check("?? IN ('proposed', 'approved', 'transferring', 'done', 'dismissed')", ['status'], 'wss_handovers_status_check');
    t.index(['status'], 'wss_handovers_status_idx');
    t.index(['store_id'], 'wss_handovers_store_idx');
  });
  // One open proposal per account (a shared account's customers are handed over once).
  await knex.raw(
    `CREATE UNIQUE INDEX wss_handovers_open_key ON wss_handovers (handover_userid) WHERE status IN ('proposed', 'approved', 'transferring')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_handovers');
}
