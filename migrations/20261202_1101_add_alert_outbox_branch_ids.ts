import type { Knex } from 'knex';

/**
 * Every branch a delivery concerns (an account shared by two branches warns both): a branch admin
 * sees the deliveries tagged with one of their branches. `branch_id` stays as the first of them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE wss_alert_outbox ADD COLUMN branch_ids text[] NOT NULL DEFAULT '{}'");
  await knex.raw("COMMENT ON COLUMN wss_alert_outbox.branch_ids IS 'Branches the message concerns; empty: HQ only'");
  await knex.raw('UPDATE wss_alert_outbox SET branch_ids = ARRAY[branch_id] WHERE branch_id IS NOT NULL');
  await knex.raw('CREATE INDEX wss_alert_outbox_branch_ids_idx ON wss_alert_outbox USING gin (branch_ids)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX wss_alert_outbox_branch_ids_idx');
  await knex.raw('ALTER TABLE wss_alert_outbox DROP COLUMN branch_ids');
}
