import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { listMigrations, migrateLatest, rollbackAll, MIGRATIONS_TABLE } from '../../plugin/db/migrate.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.destroy());

const pluginTables = async () =>
  (
    await db.knex('pg_tables').where('schemaname', 'public').andWhere('tablename', 'like', 'wss\\_%').pluck('tablename')
  )
    .filter((t: string) => !t.startsWith(MIGRATIONS_TABLE))
    .sort();

describe('migrations', () => {
  it('are date-prefixed, one change per file, and run all up, all down, then up again', async () => {
    const names = await listMigrations();
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) expect(name).toMatch(/^\d{8}_\d{4}_[a-z0-9_]+$/);

    const applied = await migrateLatest(db.knex);
    expect(applied.length).toBe(names.length);
    const tablesAfterUp = await pluginTables();
    expect(tablesAfterUp).toEqual(
      expect.arrayContaining([
        'wss_alert_outbox', 'wss_audit_log', 'wss_branches', 'wss_store_accounts', 'wss_store_entries',
        'wss_stores', 'wss_tracking_events', 'wss_wecom_accounts', 'wss_wecom_contacts',
      ]),
    );

    const reverted = await rollbackAll(db.knex);
    expect(reverted.length).toBe(names.length);
    expect(await pluginTables()).toEqual([]);

    await migrateLatest(db.knex);
    expect(await pluginTables()).toEqual(tablesAfterUp);
  });

  it('keeps its own migrations table, apart from the host', async () => {
    expect(await db.knex.schema.hasTable(MIGRATIONS_TABLE)).toBe(true);
    expect(await db.knex.schema.hasTable('knex_migrations')).toBe(false);
  });

  it('lets the database enforce one active primary account per store and the capacity bounds', async () => {
    const k = db.knex;
    await k('wss_branches').insert({ id: 'B1', name: 'b' });
    await k('wss_stores').insert({ id: 'S1', branch_id: 'B1', name: 's' });
    const [a1] = await k('wss_wecom_accounts').insert({ userid: 'u1' }).returning('id');
    const [a2] = await k('wss_wecom_accounts').insert({ userid: 'u2' }).returning('id');
    await k('wss_store_accounts').insert({ store_id: 'S1', account_id: a1.id, role: 'primary', bound_by: 't' });
    await expect(
      k('wss_store_accounts').insert({ store_id: 'S1', account_id: a2.id, role: 'primary', bound_by: 't' }),
    ).rejects.toThrow(/wss_store_accounts_one_primary_idx/);
    // An ended primary is history and does not block a new one.
    await k('wss_store_accounts').where({ store_id: 'S1' }).update({ ended_at: k.fn.now(), role: 'retired' });
    await k('wss_store_accounts').insert({ store_id: 'S1', account_id: a2.id, role: 'primary', bound_by: 't' });
    await expect(k('wss_wecom_accounts').insert({ userid: 'u3', capacity_limit: 20001 })).rejects.toThrow(
      /wss_wecom_accounts_capacity_limit_check/,
    );
    const [{ capacity_limit }] = await k('wss_wecom_accounts').where('userid', 'u1').select('capacity_limit');
    expect(capacity_limit).toBe(5000);
  });
});
