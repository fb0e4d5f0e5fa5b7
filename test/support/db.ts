import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { inject } from 'vitest';
import { migrateLatest } from '../../plugin/db/migrate.js';


export interface TestDatabase {
  knex: Knex;
  url: string;
  name: string;
  destroy(): Promise<void>;
}

function urlFor(database: string): string {
  const url = new URL(inject('pgServerUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh database of its own for one test file; migrated unless `migrate: false`. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `wss_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(inject('pgServerUrl'));
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
  if (options.migrate !== false) await migrateLatest(knex);
  return {
    knex,
    url,
    name,
    async destroy() {
      await knex.destroy();
      const cleanup = new pg.Client(inject('pgServerUrl'));
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
