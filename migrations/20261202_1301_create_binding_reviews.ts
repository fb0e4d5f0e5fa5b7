import type { Knex } from 'knex';

/**
 * HQ's review of a store's binding: one row per review cycle. A cycle opens (pending) when the
 * binding changes after HQ last approved it, keeps the latest submitted snapshot while the branch
 * goes on changing it (`revision` counts the updates), and ends approved, rejected or withdrawn
 * (nothing left to review). `baseline` is what HQ last approved: the old side of the diff.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_binding_reviews', (t) => {
    t.bigIncrements('id', { primaryKey: false });
    t.primary(['id'], { constraintName: 'wss_binding_reviews_pkey' });
    t.text('store_id').notNullable().references('id').inTable('wss_stores').withKeyName('wss_binding_reviews_store_id_fkey');
    t.text('branch_id').notNullable().comment('The store branch at submission (scope and robots)');
    t.text('status').notNullable().defaultTo('pending');
    t.integer('revision').notNullable().defaultTo(1).comment('Bumped whenever the submitted snapshot changes');
    t.jsonb('baseline').notNullable().comment('{primary, backups, retired} HQ last approved (or the binding before the first change)');
    t.jsonb('submitted').notNullable().comment('{primary, backups, retired} as submitted');
    t.specificType('actions', 'text[]').notNullable().defaultTo('{}').comment('Binding actions of this cycle, in order');
    t.timestamp('first_submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('submitted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('submitted_by').notNullable();
    t.text('submitted_by_name').notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.text('decided_by');
    t.text('decided_by_name');
    t.text('decision_note').comment('Reject reason, or the note of an approval');
    t.boolean('shown').comment('Approved: the entry was shown (false: HQ kept it hidden)');
    t.uuid('decision_id').comment('One decide call (one robot message per branch)');
    t.timestamp('hq_notified_at', { useTz: true }).comment('Counted in an HQ digest');
    t.check("?? IN ('pending', 'approved', 'rejected', 'withdrawn')", ['status'], 'wss_binding_reviews_status_check');
    t.index(['store_id', 'id'], 'wss_binding_reviews_store_idx');
    t.index(['status', 'branch_id', 'first_submitted_at'], 'wss_binding_reviews_queue_idx');
  });
  await knex.raw(`CREATE UNIQUE INDEX wss_binding_reviews_one_pending_idx ON wss_binding_reviews (store_id) WHERE status = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_binding_reviews');
}
