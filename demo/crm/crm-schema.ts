import type { Knex } from 'knex';
import { SEED_BRANCHES, seedStores } from './seed-data.js';

/** The demo host CRM's own tables (crm_*), deliberately unlike the plugin's, and their seed. */
export async function prepareCrmTables(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable('crm_branches'))) {
    await db.schema.createTable('crm_branches', (t) => {
      t.text('code').primary();
      t.text('title').notNullable();
    });
  }
  if (!(await db.schema.hasTable('crm_stores'))) {
    await db.schema.createTable('crm_stores', (t) => {
      t.text('store_code').primary();
      t.text('store_name').notNullable();
      t.text('branch_code').notNullable().references('code').inTable('crm_branches');
      t.text('status').notNullable().defaultTo('open');
    });
  }
  await db('crm_branches')
    .insert(SEED_BRANCHES.map((b) => ({ code: b.id, title: b.name })))
    .onConflict('code')
    .ignore();
  await db('crm_stores')
    .insert(
      seedStores().map((s) => ({ store_code: s.id, store_name: s.name, branch_code: s.branchId, status: s.isOpen ? 'open' : 'closed' })),
    )
    .onConflict('store_code')
    .ignore();
}
