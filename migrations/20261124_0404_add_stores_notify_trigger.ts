import type { Knex } from 'knex';

/** A store's name or open state is part of its cached entry: changes NOTIFY `wss_entry_changed` too. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION wss_notify_store_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR (OLD.name, OLD.is_open) IS DISTINCT FROM (NEW.name, NEW.is_open) THEN
        PERFORM pg_notify('wss_entry_changed', NEW.id);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER wss_stores_notify_entry AFTER INSERT OR UPDATE ON wss_stores
    FOR EACH ROW EXECUTE FUNCTION wss_notify_store_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS wss_stores_notify_entry ON wss_stores');
  await knex.raw('DROP FUNCTION IF EXISTS wss_notify_store_changed()');
}
