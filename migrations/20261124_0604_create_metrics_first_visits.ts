import type { Knex } from 'knex';

/**
 * Period-distinct counts without scanning visitors: for each scope unit (level 'all' with unit '',
 * or level 'branch' with the branch id), stage and day, how many visitors were seen that day whose
 * previous day at that unit was prev_day ('-infinity' = never before). The distinct visitors of a
 * period [from, to] are exactly the rows with day in [from, to] and prev_day < from: each visitor is
 * counted once, on their first day inside the period. See docs/metrics.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wss_metrics_first_visits', (t) => {
    t.text('level').notNullable();
    t.text('unit').notNullable();
    t.smallint('stage').notNullable();
    t.date('day').notNullable();
    t.date('prev_day').notNullable();
    t.integer('visitors').notNullable();
    t.primary(['level', 'unit', 'day', 'stage', 'prev_day'], { constraintName: 'wss_metrics_first_visits_pkey' });
    t.check("?? IN ('all', 'branch')", ['level'], 'wss_metrics_first_visits_level_check');
    t.check('?? < ??', ['prev_day', 'day'], 'wss_metrics_first_visits_prev_day_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wss_metrics_first_visits');
}
