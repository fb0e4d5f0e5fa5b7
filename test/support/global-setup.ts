import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDatabase } from '../../demo/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test PostgreSQL server; each test file creates its own database on it. */
    pgServerUrl: string;
  }
}

/**
 * embedded-postgres (through async-exit-hook) calls `process.exit(0)` on `beforeExit`, which would
 * overwrite the exit code vitest sets for failed tests: CI would read a failing run as green.
 * Keep the code vitest meant.
 */
function keepVitestExitCode() {
  let intended: typeof process.exitCode;
  process.on('beforeExit', () => {
    intended = process.exitCode;
  });
  process.on('exit', () => {
    if (intended && !process.exitCode) process.exitCode = intended;
  });
}

/** One real PostgreSQL for the run (embedded unless DATABASE_URL is set). */
export default async function setup(project: TestProject) {
  keepVitestExitCode();
  const root = path.resolve('.data');
  // World-traversable so the postgres user embedded-postgres creates can reach the data folder.
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const dataDir = mkdtempSync(path.join(root, 'test-pg-'));
  const db = await startDatabase({ dataDir, persistent: false });
  project.provide('pgServerUrl', db.url);
  return async () => {
    await db.stop();
  };
}
