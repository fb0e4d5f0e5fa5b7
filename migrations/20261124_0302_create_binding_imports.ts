import type { Knex } from 'knex';

/**
 * Bulk binding imports: the parsed rows, the dry-run report and the progress live here so a long
 * import survives a restart (a stale heartbeat lets another process resume it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_binding_imports', (t) => {
    t.uuid('id').primary({ constraintName: 'wss_binding_imports_pkey' }).defaultTo(knex.raw('gen_random_uuid()'));
    t.text('actor_id').notNullable();
    t.jsonb('actor').notNullable().comment('Snapshot of the importing actor: id, name, permissions, branchScope');
    t.text('file_name').notNullable();
    t.text('format').notNullable();
    t.text('status').notNullable();
    t.integer('total_rows').notNullable();
    t.integer('processed_rows').notNullable().defaultTo(0);
    t.jsonb('rows').notNullable();
    t.jsonb('report');
    t.jsonb('summary');
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('heartbeat_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('committed_at', { useTz: true });
    t.check("?? IN ('csv', 'xlsx')", ['format'], 'wss_binding_imports_format_check');
    t.check(
      "?? IN ('validating', 'validated', 'committing', 'committed', 'failed')",
      ['status'],
      'wss_binding_imports_status_check',
    );
    t.index(['actor_id', 'created_at'], 'wss_binding_imports_actor_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_binding_imports');
}
