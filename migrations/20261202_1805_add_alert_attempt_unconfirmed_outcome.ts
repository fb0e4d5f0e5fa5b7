import type { Knex } from 'knex';

const OLD = "outcome IS NULL OR outcome IN ('sent', 'retry', 'rate_limited', 'failed', 'abandoned')";
const NEW = "outcome IS NULL OR outcome IN ('sent', 'retry', 'rate_limited', 'failed', 'abandoned', 'unconfirmed')";

/**
 * Outcome `unconfirmed`: the robot may have accepted the message (timeout, connection lost after the
 * request went out). Such a message is retried at most once, so a robot gets it at most twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE wss_alert_attempts DROP CONSTRAINT wss_alert_attempts_outcome_check');
  await knex.raw(`ALTER TABLE wss_alert_attempts ADD CONSTRAINT wss_alert_attempts_outcome_check CHECK (${NEW})`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('wss_alert_attempts').where('outcome', 'unconfirmed').update({ outcome: 'retry' });
  await knex.raw('ALTER TABLE wss_alert_attempts DROP CONSTRAINT wss_alert_attempts_outcome_check');
  await knex.raw(`ALTER TABLE wss_alert_attempts ADD CONSTRAINT wss_alert_attempts_outcome_check CHECK (${OLD})`);
}
