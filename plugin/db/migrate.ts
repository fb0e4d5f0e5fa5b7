import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/** The plugin's own migrations table, so nothing collides with the host's. */
export const MIGRATIONS_TABLE = 'wss_knex_migrations';
const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const MIGRATION_FILE = /^\d{8}_\d{4}_[a-z0-9_]+\.(ts|js|mjs)$/;

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Lists migrations by file name (date-prefixed, so lexical order is chronological) and imports them
 * directly, so the same code works from TypeScript sources and from a compiled build.
 */
class PluginMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    const files = await readdir(MIGRATIONS_DIR);
    return files.filter((f) => MIGRATION_FILE.test(f) && !f.endsWith('.d.ts')).sort();
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js|mjs)$/, '');
  }
  async getMigration(file: string): Promise<MigrationModule> {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, file)).href)) as MigrationModule;
  }
}

function migratorConfig(): Knex.MigratorConfig {
  return { migrationSource: new PluginMigrationSource(), tableName: MIGRATIONS_TABLE };
}

export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migratorConfig())) as [number, string[]];
  return applied;
}

export async function rollbackAll(db: Knex): Promise<string[]> {
  const [, reverted] = (await db.migrate.rollback(migratorConfig(), true)) as [number, string[]];
  return reverted;
}

export async function listMigrations(): Promise<string[]> {
  const source = new PluginMigrationSource();
  return (await source.getMigrations()).map((f) => source.getMigrationName(f));
}
