import type { Knex } from 'knex';

/** Digests sent to HQ about new submissions: the last one's time spaces them out across processes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_review_digests', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_review_digests_pkey' });
    t.timestamp('sent_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('submissions').notNullable();
    t.jsonb('by_branch').notNullable().comment('[{branchId, branchName, submitted, pending}]');
    t.index(['sent_at'], 'wss_review_digests_sent_at_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_review_digests');
}
