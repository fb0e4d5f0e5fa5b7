import type { Knex } from 'knex';

/** Who changed what, when, with the before/after image. Append-only. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_audit_log', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_audit_log_pkey' });
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor_id').notNullable();
    t.text('actor_name').notNullable();
    t.text('action').notNullable();
    t.text('entity_type').notNullable();
    t.text('entity_id').notNullable();
    t.text('store_id');
    t.text('branch_id');
    t.jsonb('before');
    t.jsonb('after');
    t.text('reason');
    t.index(['store_id', 'at'], 'wss_audit_log_store_idx');
    t.index(['branch_id', 'at'], 'wss_audit_log_branch_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_audit_log');
}
