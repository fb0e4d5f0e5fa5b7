import type { Knex } from 'knex';

/**
 * A job's lease and its last scheduled tick, kept in its row: a run claims both in one statement, so
 * it works through a transaction pooler (no session lock) and a tick another process already started
 * is skipped. A lease not renewed (its process died) expires by itself.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_job_runs', (t) => {
    t.text('lease_owner').comment('Scheduler (host:pid:random) running the job now; null when idle');
    t.timestamp('lease_until', { useTz: true }).comment('The lease is free after this, renewed while the run lasts');
    t.timestamp('last_tick_at', { useTz: true }).comment('Scheduled time of the last tick that was started');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('wss_job_runs', (t) => {
    t.dropColumn('lease_owner');
    t.dropColumn('lease_until');
    t.dropColumn('last_tick_at');
  });
}
