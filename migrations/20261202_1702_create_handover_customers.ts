import type { Knex } from 'knex';

/** Each customer of a handover: its taker, the batch that asked WeCom, and WeCom's answer. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_handover_customers', (t) => {
    t.bigInteger('handover_id').notNullable().references('id').inTable('wss_handovers').onDelete('CASCADE').withKeyName('wss_handover_customers_handover_fkey');
    t.text('external_userid').notNullable();
    t.text('takeover_userid');
    t.text('status').notNullable().defaultTo('pending')
      .comment('pending, waiting (asked, WeCom status 2), done (1), refused (3), taker_full (4), no_record (5), not_customer, too_frequent, no_room, failed');
    t.integer('errcode').comment('The last errcode WeCom answered for this customer');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('requested_at', { useTz: true });
    t.timestamp('takeover_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['handover_id', 'external_userid'], { constraintName: 'wss_handover_customers_pkey' });
    t.index(['status'], 'wss_handover_customers_status_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_handover_customers');
}
