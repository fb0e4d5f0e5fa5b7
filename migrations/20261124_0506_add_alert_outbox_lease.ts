import type { Knex } from 'knex';

/** A claimed ('sending') message belongs to one worker until locked_until; then it may be reclaimed. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_alert_outbox', (t) => {
    t.timestamp('locked_until', { useTz: true });
    t.text('locked_by');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_alert_outbox', (t) => {
    t.dropColumn('locked_until');
    t.dropColumn('locked_by');
  });
}
