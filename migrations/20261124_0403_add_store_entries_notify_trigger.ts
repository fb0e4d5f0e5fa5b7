import type { Knex } from 'knex';

/**
 * Every change to a store's entry NOTIFYs `wss_entry_changed` with the store id (delivered on
 * commit), so each host process drops its cached entry the moment HQ toggles it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION wss_notify_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('wss_entry_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.store_id ELSE NEW.store_id END);
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER wss_store_entries_notify AFTER INSERT OR UPDATE OR DELETE ON wss_store_entries
    FOR EACH ROW EXECUTE FUNCTION wss_notify_entry_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS wss_store_entries_notify ON wss_store_entries');
  await knex.raw('DROP FUNCTION IF EXISTS wss_notify_entry_changed()');
}
