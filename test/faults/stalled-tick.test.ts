/**
 * Two host processes scheduling the same jobs every second; one of them blocks its event loop for
 * 300 ms across every tick, so it fires each tick late, after the other has already run it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startSchedulerHost, type HostProcess } from './support/hosts.js';
import { createJobRunsTable, printFigures, sleep, tickFigures } from './support/scenario.js';

let db: TestDatabase;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await createJobRunsTable(db.knex);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await db?.destroy();
});

describe('a stalled event loop at the tick', { timeout: 120_000 }, () => {
  it('runs every job once per tick across both processes, never twice, never overlapping', async () => {
    hosts.push(...(await Promise.all([startSchedulerHost({ name: 'stalled', dbUrl: db.url, stallMs: 300, runMs: 50 }), startSchedulerHost({ name: 'steady', dbUrl: db.url, runMs: 50 })])));
    const from = Date.now() + 1000;
    await sleep(7000);
    const to = Date.now() - 500;
    await Promise.all(hosts.map((h) => h.stop()));
    const figures = await tickFigures(db.knex, from, to);
    printFigures('stalled-event-loop', { ...figures, stallMs: 300 });
    expect(figures.jobs).toBe(7);
    expect(figures.ticks).toBeGreaterThanOrEqual(7 * 4);
    expect(figures).toMatchObject({ duplicated: 0, missed: 0, overlaps: 0 });
    expect(hosts.every((h) => !h.log.join('').includes('Unhandled'))).toBe(true);
  });
});
