import type { Knex } from 'knex';

/**
 * `count_settled_at`: the capacity reconcile already counted this stored, not yet applied event in
 * WeCom's figure, so applying it changes the contact rows but not the live count. The index serves
 * the reconcile's look-up of an account's pending and recently applied events.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_wecom_callback_events', (t) => {
    t.timestamp('count_settled_at', { useTz: true });
    t.index(['user_id', 'processed_at'], 'wss_wecom_callback_events_user_processed_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_wecom_callback_events', (t) => {
    t.dropIndex(['user_id', 'processed_at'], 'wss_wecom_callback_events_user_processed_idx');
    t.dropColumn('count_settled_at');
  });
}
