/**
 * Directory sync of 50,000 stores: the plugin's paged, idempotent upsert against a plain
 * bulk INSERT of the same rows into an empty copy of the table, same run. Also the second (no-change)
 * sync, a sync that closes 1,000 missing stores, and the heap growth while syncing (the host pages
 * are generated lazily, so the plugin never needs the whole directory in memory).
 *
 *   npx tsx bench/directory-sync.ts            # 50,000 stores
 *   DIRECTORY_BENCH_STORES=100000 npx tsx bench/directory-sync.ts
 */
import type { HostDirectory, HostStore } from '../plugin/host/adapter.js';
import { createDirectoryService } from '../plugin/directory/directory.service.js';
import { createDirectoryStore } from '../plugin/directory/directory.store.js';
import { silentLogger } from '../plugin/core/logger.js';
import { benchDatabase } from './bench-support.js';

const STORES = Number(process.env.DIRECTORY_BENCH_STORES ?? 50_000);
const BRANCHES = 40;
const db = await benchDatabase();

const storeAt = (i: number): HostStore => ({
  id: `S${String(i).padStart(6, '0')}`,
  name: `门店${i}`,
  branchId: `B${i % BRANCHES}`,
  isOpen: i % 50 !== 0,
});

function lazyDirectory(count: number, skip = new Set<number>()): HostDirectory {
  return {
    listBranches: async () => Array.from({ length: BRANCHES }, (_, b) => ({ id: `B${b}`, name: `分公司${b}` })),
    async listStores({ cursor, limit }) {
      const start = cursor ? Number(cursor) : 0;
      const items: HostStore[] = [];
      let i = start;
      for (; i < count && items.length < limit; i++) if (!skip.has(i)) items.push(storeAt(i));
      return { items, nextCursor: i < count ? String(i) : null };
    },
  };
}

const time = async <T>(fn: () => Promise<T>) => {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
};

// Baseline: one bulk INSERT of the same rows (no paging, no change detection, no closing).
await db.knex.raw('CREATE TABLE bench_stores (LIKE wss_stores INCLUDING DEFAULTS INCLUDING INDEXES)');
const all = Array.from({ length: STORES }, (_, i) => storeAt(i));
const baseline = await time(() =>
  db.knex.raw(
    `INSERT INTO bench_stores (id, branch_id, name, is_open)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::boolean[])`,
    [all.map((s) => s.id), all.map((s) => s.branchId), all.map((s) => s.name), all.map((s) => s.isOpen)],
  ),
);

const service = (directory: HostDirectory) =>
  createDirectoryService({ db: db.knex, store: createDirectoryStore(db.knex), directory, logger: silentLogger, storesClosed: [] });

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peakHeap = heapBefore;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
const first = await time(() => service(lazyDirectory(STORES)).sync());
clearInterval(sampler);
const second = await time(() => service(lazyDirectory(STORES)).sync());
const missing = new Set(Array.from({ length: 1000 }, (_, k) => k * Math.floor(STORES / 1000) + 1)); // open stores
const third = await time(() => service(lazyDirectory(STORES, missing)).sync());

const ratio = (ms: number) => `${(ms / baseline.ms).toFixed(2)}× baseline`;
console.log(`Directory sync, ${STORES.toLocaleString('en')} stores in ${BRANCHES} branches (host pages of 1,000):`);
console.log(`  baseline: one bulk INSERT      ${baseline.ms.toFixed(0)} ms`);
console.log(`  first sync (all inserted)      ${first.ms.toFixed(0)} ms  ${ratio(first.ms)}  inserted ${first.result.stores.inserted}`);
console.log(`  second sync (no change)        ${second.ms.toFixed(0)} ms  ${ratio(second.ms)}  updated ${second.result.stores.updated}`);
console.log(`  third sync (1,000 missing)     ${third.ms.toFixed(0)} ms  ${ratio(third.ms)}  closed ${third.result.stores.closedMissing}`);
console.log(`  heap growth during first sync  ${((peakHeap - heapBefore) / 1048576).toFixed(1)} MiB (the ${STORES.toLocaleString('en')} baseline rows alone: ${(JSON.stringify(all).length / 1048576).toFixed(1)} MiB as JSON)`);
const ok = first.result.stores.inserted === STORES && second.result.stores.updated === 0 && third.result.stores.closedMissing === 1000;
console.log(`  checks: ${ok ? 'all inserted, idempotent, missing closed ✓' : 'MISMATCH ✗'}`);
await db.stop();
process.exit(ok ? 0 : 1);
