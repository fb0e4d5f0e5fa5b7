import type { Knex } from 'knex';

/**
 * One row per message handed to a robot, shared by every host process: the per-robot frequency
 * limit (20 a minute) is counted here under an advisory lock, not in process memory.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_robot_send_ledger', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_robot_send_ledger_pkey' });
    t.text('robot_id').notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.bigInteger('outbox_id');
    t.index(['robot_id', 'sent_at'], 'wss_robot_send_ledger_robot_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_robot_send_ledger');
}
