import type { Knex } from 'knex';

/** Append-only customer-path events. `day` is the Asia/Shanghai calendar day of occurred_at. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_tracking_events', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_tracking_events_pkey' });
    t.text('client_event_id').comment('Client-chosen id for idempotent retries');
    t.text('type').notNullable();
    t.text('store_id').notNullable();
    t.text('visitor_id').notNullable();
    t.text('order_id');
    t.text('client_type');
    t.text('guide_visit_id').comment('Ties add_click / jump_result / confirmed add to one guide visit (the WeCom state)');
    t.text('outcome').comment("jump_result: 'ok' or 'failed'");
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.date('day').notNullable();
    t.jsonb('props');
    t.unique(['client_event_id'], { indexName: 'wss_tracking_events_client_event_id_key' });
    t.index(['day', 'store_id', 'type'], 'wss_tracking_events_day_store_type_idx');
    t.index(['guide_visit_id'], 'wss_tracking_events_guide_visit_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_tracking_events');
}
