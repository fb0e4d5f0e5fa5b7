import type { Knex } from 'knex';

/**
 * The enterprise's external-contact scale (one row): what HQ bought, and the de-duplicated customer
 * total the last capacity sync measured, with the live counts' sum at that moment (callbacks move the
 * total by the same deltas until the next sync).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_enterprise_capacity', (t) => {
    t.smallint('id').notNullable().defaultTo(1);
    t.primary(['id'], { constraintName: 'wss_enterprise_capacity_pkey' });
    t.integer('purchased_scale').comment('External contacts the enterprise bought (WeCom charges above 2,000)');
    t.integer('distinct_customers').comment('Customers counted once however many accounts they follow, at the last sync');
    t.integer('live_sum_at_count').comment('Sum of the accounts live counts when distinct_customers was measured');
    t.timestamp('counted_at', { useTz: true });
    t.text('updated_by');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('?? = 1', ['id'], 'wss_enterprise_capacity_single_row_check');
    t.check('?? IS NULL OR ?? >= 1', ['purchased_scale', 'purchased_scale'], 'wss_enterprise_capacity_scale_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_enterprise_capacity');
}
