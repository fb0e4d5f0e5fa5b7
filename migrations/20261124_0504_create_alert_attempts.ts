import type { Knex } from 'knex';

/** Every delivery attempt of an outbox message, recorded before the robot is called. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_alert_attempts', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_alert_attempts_pkey' });
    t.bigInteger('outbox_id')
      .notNullable()
      .references('id')
      .inTable('wss_alert_outbox')
      .onDelete('CASCADE')
      .withKeyName('wss_alert_attempts_outbox_id_fkey');
    t.integer('attempt').notNullable();
    t.text('worker').notNullable().comment('Host process that made the attempt');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.text('outcome').comment("null while in flight; 'sent' | 'retry' | 'rate_limited' | 'failed' | 'abandoned'");
    t.text('error_code');
    t.text('error');
    t.unique(['outbox_id', 'attempt'], { indexName: 'wss_alert_attempts_outbox_attempt_key' });
    t.check(
      "?? IS NULL OR ?? IN ('sent', 'retry', 'rate_limited', 'failed', 'abandoned')",
      ['outcome', 'outcome'],
      'wss_alert_attempts_outcome_check',
    );
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_alert_attempts');
}
