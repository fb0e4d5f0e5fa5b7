import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';
import type { EntryPayload } from '../contract/index.js';
import type { CustomerPathConfig } from './customer-path.config.js';
import { createEntryChangeListener } from './entry-change-listener.js';
import type { EntryRow, EntryStore } from './entry.store.js';

export interface CachedEntry {
  payload: EntryPayload;
  /** JSON body, serialised once. */
  body: string;
  etag: string;
}

interface Slot {
  entry: CachedEntry;
  /** When to re-read it anyway (a safety net behind NOTIFY), spread so entries cached together do not expire together. */
  expiresAt: number;
}

export interface EntryCacheStats {
  hits: number;
  misses: number;
  invalidations: number;
  size: number;
  /** LISTEN is proven alive by its heartbeat: only then are cached entries trusted. */
  live: boolean;
}

export interface EntryService {
  /** The entry of one store as customers get it (unknown stores: hidden). */
  read(storeId: string): Promise<CachedEntry>;
  /** Cache counters (hits, misses, NOTIFY invalidations), for diagnostics and tests. */
  stats(): EntryCacheStats;
  resetStats(): void;
  /** Connects the listener and proves it receives notifications; throws a StartupError otherwise. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The public entry, served from an in-process cache that a Postgres NOTIFY (trigger on
 * wss_store_entries / wss_stores) invalidates the moment HQ toggles a store. The cache is only
 * trusted while the listener's heartbeat comes back (a dead or half-open LISTEN connection costs at
 * most three heartbeats of staleness, then reads go to the database until it is back); entries are
 * also re-read after `entryCacheMaxAgeSeconds` as a safety net. Unknown stores are visible=false.
 */
export function createEntryService(deps: {
  db: Knex;
  store: EntryStore;
  config: CustomerPathConfig;
  /** Where customers reach the plugin routes (publicBaseUrl, or the routes prefix). */
  publicBase: string;
  logger: Logger;
  /** A direct connection for LISTEN when the knex pool goes through a transaction pooler. */
  listenConnection?: string;
  metrics?: PluginMetrics;
}): EntryService {
  const { store, config, publicBase, logger } = deps;
  // Bound once: the entry is the hottest path, a labelled child counter is a plain add.
  const entryCache = (deps.metrics ?? detachedMetrics()).entryCache;
  const counted = { hit: entryCache.labels({ result: 'hit' }), miss: entryCache.labels({ result: 'miss' }) };
  const cache = new Map<string, Slot>();
  const maxAgeMs = config.entryCacheMaxAgeSeconds * 1000;
  const expiryFrom = (now: number) => now + maxAgeMs * (0.75 + Math.random() * 0.25);
  /** Bumped on every change notification: a read that raced a change is not cached. */
  let generation = 0;
  let stats = { hits: 0, misses: 0, invalidations: 0 };

  const listener = createEntryChangeListener({
    db: deps.db,
    connection: deps.listenConnection,
    logger,
    heartbeatMs: config.entryListenerHeartbeatMs,
    onChange({ storeId, visible }) {
      generation += 1;
      stats.invalidations += 1;
      cache.delete(storeId);
      // The payload carries the new state: update in place so the next hit needs no database read.
      if (visible !== undefined && cache.size < config.entryCacheSize) {
        cache.set(storeId, { entry: build(storeId, { visible, isOpen: true }), expiresAt: expiryFrom(Date.now()) });
      }
    },
    onReset() {
      generation += 1;
      cache.clear();
    },
  });

  function build(storeId: string, row: Pick<EntryRow, 'visible' | 'isOpen'> | null): CachedEntry {
    const visible = Boolean(row && row.visible && row.isOpen);
    const payload: EntryPayload = {
      storeId,
      visible,
      text: visible ? config.entryText : null,
      guideUrl: visible ? `${publicBase}/public/guide?store=${encodeURIComponent(storeId)}` : null,
    };
    const body = JSON.stringify(payload);
    const etag = `W/"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
    return { payload, body, etag };
  }

  return {
    async read(storeId) {
      listener.ensureStarted();
      const now = Date.now();
      const slot = cache.get(storeId);
      if (slot && listener.live && now < slot.expiresAt) {
        stats.hits += 1;
        counted.hit.inc();
        return slot.entry;
      }
      stats.misses += 1;
      counted.miss.inc();
      const before = generation;
      const entry = build(storeId, await store.readEntry(storeId));
      if (listener.live && before === generation) {
        if (cache.size >= config.entryCacheSize) {
          // Map keeps insertion order: drop the oldest tenth.
          let drop = Math.ceil(config.entryCacheSize / 10);
          for (const key of cache.keys()) {
            cache.delete(key);
            if (--drop <= 0) break;
          }
        }
        cache.delete(storeId);
        cache.set(storeId, { entry, expiresAt: expiryFrom(now) });
      }
      return entry;
    },

    stats: () => ({ ...stats, size: cache.size, live: listener.live }),
    resetStats() {
      stats = { hits: 0, misses: 0, invalidations: 0 };
    },

    start: () => listener.start(),

    async close() {
      await listener.close();
      cache.clear();
    },
  };
}

