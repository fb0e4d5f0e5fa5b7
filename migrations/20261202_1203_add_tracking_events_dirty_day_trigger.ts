import type { Knex } from 'knex';

/**
 * Every stored event marks its day dirty, once per statement (a transition table, not a row
 * trigger). A confirmed add tied to a guide visit also marks the day of that visit's guide view:
 * the add rate counts the guide visitor on the day of the visit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION wss_mark_metrics_dirty_days() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO wss_metrics_dirty_days (day)
      SELECT d FROM (
        SELECT n.day AS d FROM new_events n
        UNION
        SELECT g.day FROM new_events n JOIN wss_tracking_events g
          ON g.guide_visit_id = n.guide_visit_id AND g.type = 'guide_view'
        WHERE n.type = 'confirmed_add' AND n.guide_visit_id IS NOT NULL
      ) days
      ORDER BY d
      ON CONFLICT (day) DO NOTHING;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER wss_tracking_events_mark_dirty AFTER INSERT ON wss_tracking_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION wss_mark_metrics_dirty_days()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS wss_tracking_events_mark_dirty ON wss_tracking_events');
  await knex.raw('DROP FUNCTION IF EXISTS wss_mark_metrics_dirty_days()');
}
