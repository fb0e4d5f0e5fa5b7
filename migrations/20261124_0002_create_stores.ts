import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_stores', (t) => {
    t.text('id').primary({ constraintName: 'wss_stores_pkey' }).comment('CRM store id');
    t.text('branch_id')
      .notNullable()
      .references('id')
      .inTable('wss_branches')
      .withKeyName('wss_stores_branch_id_fkey');
    t.text('name').notNullable();
    t.boolean('is_open').notNullable().defaultTo(true);
    t.timestamp('closed_at', { useTz: true });
    t.text('closed_reason').comment("'host' (closed in the CRM) or 'missing' (gone from the directory)");
    t.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['branch_id', 'id'], 'wss_stores_branch_id_idx');
  });
  // Search by name fragment in the store list.
  await knex.raw('CREATE INDEX wss_stores_name_idx ON wss_stores (lower(name) text_pattern_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_stores');
}
