import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startDatabase } from '../../demo/embedded-postgres.js';

const root = path.resolve('.data');
mkdirSync(root, { recursive: true, mode: 0o755 });
const dataDir = mkdtempSync(path.join(root, 'pid-test-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe.skipIf(Boolean(process.env.DATABASE_URL))('embedded PostgreSQL', () => {
  it('keeps its data between runs and recovers the stale pid file of a killed run', async () => {
    const first = await startDatabase({ dataDir, persistent: true });
    expect(await selectOne(first.url)).toBe(1);
    await first.stop();

    // What a killed run leaves behind: postmaster.pid naming a process that no longer exists.
    writeFileSync(path.join(dataDir, 'postmaster.pid'), `999999\n${dataDir}\n0\n5432\n`);
    const second = await startDatabase({ dataDir, persistent: true });
    expect(await selectOne(second.url)).toBe(1);

    // A SIGKILLed run leaves its server running on the folder: the next start shuts it down first.
    const orphanPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const third = await startDatabase({ dataDir, persistent: true });
    try {
      expect(await selectOne(third.url)).toBe(1);
      expect(() => process.kill(orphanPid, 0)).toThrow();
      await expect(selectOne(second.url)).rejects.toThrow();
    } finally {
      await third.stop();
    }
  });
});
