import type { Knex } from 'knex';

/** A customer's confirmed adds by external_userid (their enterprise-wide first add, where WeCom's time is unknown). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX wss_tracking_events_confirmed_customer_idx ON wss_tracking_events ((props->>'externalUserid'), occurred_at)
    WHERE type = 'confirmed_add'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS wss_tracking_events_confirmed_customer_idx');
}
