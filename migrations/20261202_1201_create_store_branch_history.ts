import type { Knex } from 'knex';

/**
 * Which branch a store belonged to on which days (directory sync keeps it): a store's events count
 * for the branch of the event's day. `valid_to` is exclusive; the open row has none. Existing stores
 * start with their current branch since the beginning of time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_store_branch_history', (t) => {
    t.text('store_id').notNullable();
    t.date('valid_from').notNullable().comment("First day in this branch ('-infinity' for the first row)");
    t.date('valid_to').comment('First day no longer in this branch; null while current');
    t.text('branch_id').notNullable();
    t.primary(['store_id', 'valid_from'], { constraintName: 'wss_store_branch_history_pkey' });
    t.foreign('store_id', 'wss_store_branch_history_store_fkey').references('wss_stores.id').onDelete('CASCADE');
    t.check('valid_to IS NULL OR valid_to > valid_from', [], 'wss_store_branch_history_range_check');
  });
  await knex.raw(`CREATE UNIQUE INDEX wss_store_branch_history_open_key ON wss_store_branch_history (store_id) WHERE valid_to IS NULL`);
  await knex.raw(`CREATE INDEX wss_store_branch_history_branch_idx ON wss_store_branch_history (branch_id, store_id)`);
  await knex.raw(`INSERT INTO wss_store_branch_history (store_id, valid_from, branch_id) SELECT id, '-infinity', branch_id FROM wss_stores`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_store_branch_history');
}
