import type { Knex } from 'knex';

/** The branch (and account) a message is about, so the delivery log can be read in branch scope. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_alert_outbox', (t) => {
    t.text('branch_id').comment('Null for messages about no branch (e.g. test messages): HQ only');
    t.bigInteger('account_id');
    t.index(['branch_id', 'created_at'], 'wss_alert_outbox_branch_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_alert_outbox', (t) => {
    t.dropIndex(['branch_id', 'created_at'], 'wss_alert_outbox_branch_idx');
    t.dropColumn('branch_id');
    t.dropColumn('account_id');
  });
}
