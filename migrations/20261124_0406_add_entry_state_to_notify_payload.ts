import type { Knex } from 'knex';

/**
 * The `wss_entry_changed` payload carries the new state, `{"s": storeId, "v": shown && open}`, so
 * each process updates its cached entry in place instead of reading the database on the next hit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION wss_notify_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('wss_entry_changed', json_build_object('s', OLD.store_id, 'v', false)::text);
      ELSE
        PERFORM pg_notify('wss_entry_changed', json_build_object('s', NEW.store_id,
          'v', NEW.visible AND coalesce((SELECT is_open FROM wss_stores WHERE id = NEW.store_id), false))::text);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION wss_notify_store_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR (OLD.name, OLD.is_open) IS DISTINCT FROM (NEW.name, NEW.is_open) THEN
        PERFORM pg_notify('wss_entry_changed', json_build_object('s', NEW.id,
          'v', NEW.is_open AND coalesce((SELECT visible FROM wss_store_entries WHERE store_id = NEW.id), false))::text);
      END IF;
      RETURN NULL;
    END $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION wss_notify_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('wss_entry_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.store_id ELSE NEW.store_id END);
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE OR REPLACE FUNCTION wss_notify_store_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR (OLD.name, OLD.is_open) IS DISTINCT FROM (NEW.name, NEW.is_open) THEN
        PERFORM pg_notify('wss_entry_changed', NEW.id);
      END IF;
      RETURN NULL;
    END $$`);
}
