import type { Knex } from 'knex';

/** Warnings to deliver to group robots. idempotency_key makes enqueueing and delivery repeat-safe. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_alert_outbox', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_alert_outbox_pkey' });
    t.text('idempotency_key').notNullable().unique({ indexName: 'wss_alert_outbox_idempotency_key_key' });
    t.text('kind').notNullable().comment("e.g. 'capacity_threshold', 'failover', 'test'");
    t.text('channel').notNullable().comment("'wecom' | 'dingtalk' | 'feishu'");
    t.text('robot_id').notNullable().comment('Configured robot name; keys live in config, never here');
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.check("?? IN ('pending', 'sending', 'sent', 'failed')", ['status'], 'wss_alert_outbox_status_check');
    t.index(['status', 'next_attempt_at'], 'wss_alert_outbox_due_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_alert_outbox');
}
