import type { Knex } from 'knex';

/** Last run of each scheduled job, for the UI and for "did it run" checks across processes. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_job_runs', (t) => {
    t.text('job_id').primary({ constraintName: 'wss_job_runs_pkey' });
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('finished_at', { useTz: true });
    t.text('outcome').comment("'ok' | 'failed' | 'timeout' | 'skipped_locked'");
    t.text('detail');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_job_runs');
}
