import type { Knex } from 'knex';

/**
 * Every verified WeCom callback, stored before it is answered. WeCom resends a callback not answered
 * within 5 s, so the dedupe key (ChangeType|UserID|ExternalUserID|CreateTime) is unique.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_wecom_callback_events', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_wecom_callback_events_pkey' });
    t.text('dedupe_key').notNullable();
    t.text('event').notNullable();
    t.text('change_type');
    t.text('user_id');
    t.text('external_userid');
    t.bigInteger('create_time').notNullable().comment('CreateTime as sent, seconds since epoch');
    t.text('state');
    t.text('welcome_code').comment('Valid 20 s after the event; used once by the welcome message');
    t.text('raw_xml').notNullable().comment('The decrypted event XML');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
    t.integer('process_attempts').notNullable().defaultTo(0);
    t.text('process_error');
    t.unique(['dedupe_key'], { indexName: 'wss_wecom_callback_events_dedupe_key' });
    t.index(['processed_at', 'id'], 'wss_wecom_callback_events_pending_idx');
    t.index(['user_id', 'create_time'], 'wss_wecom_callback_events_user_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('wss_wecom_callback_events');
}
