import type { Knex } from 'knex';

/**
 * `followed_up_at`: the reacting features (attribution, failover) have handled the applied event. A
 * process that dies between the apply and its follow-up leaves it null, and the replay job re-runs
 * the follow-up. Events applied before this column existed count as followed up.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_wecom_callback_events', (t) => {
    t.timestamp('followed_up_at', { useTz: true });
  });
  await knex('wss_wecom_callback_events').whereNotNull('processed_at').update({ followed_up_at: knex.ref('processed_at') });
  await knex.raw(
    `CREATE INDEX wss_wecom_callback_events_follow_up_idx ON wss_wecom_callback_events (processed_at)
     WHERE processed_at IS NOT NULL AND followed_up_at IS NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS wss_wecom_callback_events_follow_up_idx');
  await knex.schema.alterTable('wss_wecom_callback_events', (t) => {
    t.dropColumn('followed_up_at');
  });
}
