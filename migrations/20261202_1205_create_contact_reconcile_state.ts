import type { Knex } from 'knex';

/**
 * The last contact reconcile of each account (batch/get_by_user against wss_wecom_contacts): what
 * it recovered, so the drift report can say it, and when, so the scheduled pass takes the oldest first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_contact_reconcile_state', (t) => {
    t.text('account_userid').notNullable();
    t.timestamp('reconciled_at', { useTz: true }).notNullable();
    t.integer('listed').notNullable().defaultTo(0).comment('Relations WeCom listed');
    t.integer('recovered_adds').notNullable().defaultTo(0).comment('Relations WeCom has and the plugin missed (dropped add callbacks)');
    t.integer('ended_relations').notNullable().defaultTo(0).comment('Relations the plugin had and WeCom no longer has (dropped deletes)');
    t.integer('kept_deleted').notNullable().defaultTo(0).comment('Listed relations a later delete (tombstone) keeps deleted');
    t.text('error');
    t.primary(['account_userid'], { constraintName: 'wss_contact_reconcile_state_pkey' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_contact_reconcile_state');
}
