/**
 * The plugin's memory in a host: RSS and V8 heap of a host process (Koa) without the plugin and with
 * it mounted (started, LISTEN connected, 2,000 stores), idle and after the entry benchmark's load
 * (closed loop, 32 keep-alive clients, from this process). Each host runs in a child process of its
 * own so the figures are that process's; heap is read after a full GC. Goal: the plugin adds < 60 MB.
 *
 *   npx tsx bench/memory.ts
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDatabase, startLoadClient } from './bench-support.js';

const STORES = 2000;
const LOAD_MS = Number(process.env.MEMORY_BENCH_MS ?? 4000);
const host = fileURLToPath(new URL('./support/memory-host.ts', import.meta.url));

const db = await benchDatabase();
await db.knex.raw(`INSERT INTO wss_branches (id, name) VALUES ('B1', 'B1')`);
await db.knex.raw(`INSERT INTO wss_stores (id, branch_id, name) SELECT 'S' || g, 'B1', '门店' || g FROM generate_series(1, ?) g`, [STORES]);
await db.knex.raw(`INSERT INTO wss_store_entries (store_id, visible, changed_by) SELECT 'S' || g, g % 2 = 0, 'bench' FROM generate_series(1, ?) g`, [STORES]);

interface Sample { rss: number; heapUsed: number }
const client = await startLoadClient();
const mb = (bytes: number) => bytes / 1024 / 1024;

async function measure(withPlugin: boolean) {
  const child = fork(host, [withPlugin ? 'plugin' : 'bare', db.url], { execArgv: ['--import', 'tsx', '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string) => new Promise<T>((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
  const { base } = await new Promise<{ base: string }>((resolve) => child.once('message', (m) => resolve(m as { base: string })));
  const urls = Array.from({ length: STORES }, (_, i) => `${base}/plugins/wecom-store-service/public/entry/S${((i * 7919) % STORES) + 1}`);
  await client.closedLoop(urls, 8, 500);
  const idle = await ask<Sample>('sample');
  const load = await client.closedLoop(urls, 32, LOAD_MS);
  const loaded = await ask<Sample>('sample');
  child.kill();
  return { idle, loaded, rps: load.rps };
}

const bare = await measure(false);
const plugin = await measure(true);
const line = (name: string, r: typeof bare) =>
  `  ${name}: idle rss ${mb(r.idle.rss).toFixed(1)} MB heap ${mb(r.idle.heapUsed).toFixed(1)} MB; after load rss ${mb(r.loaded.rss).toFixed(1)} MB heap ${mb(r.loaded.heapUsed).toFixed(1)} MB (${r.rps.toFixed(0)} req/s)`;
console.log(`host process memory, ${STORES} stores, ${LOAD_MS} ms of entry load:`);
console.log(line('bare Koa host  ', bare));
console.log(line('host + plugin  ', plugin));
console.log(`  plugin adds: idle rss +${mb(plugin.idle.rss - bare.idle.rss).toFixed(1)} MB heap +${mb(plugin.idle.heapUsed - bare.idle.heapUsed).toFixed(1)} MB; ` +
  `under load rss +${mb(plugin.loaded.rss - bare.loaded.rss).toFixed(1)} MB heap +${mb(plugin.loaded.heapUsed - bare.loaded.heapUsed).toFixed(1)} MB  (goal < +60 MB rss)`);
await client.close();
await db.stop();
