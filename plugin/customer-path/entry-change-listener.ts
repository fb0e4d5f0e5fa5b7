import pg from 'pg';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';

const ENTRY_CHANGED_CHANNEL = 'wss_entry_changed';

/** A store whose entry changed and, when the trigger sent it, whether it is now shown. */
export interface EntryChange {
  storeId: string;
  visible?: boolean;
}

/** `{"s": storeId, "v": shown}` (migration 0406), or a bare store id (0403/0404). */
export function parsePayload(payload: string): EntryChange {
  if (payload.startsWith('{')) {
    try {
      const parsed = JSON.parse(payload) as { s?: unknown; v?: unknown };
      if (typeof parsed.s === 'string') return { storeId: parsed.s, visible: typeof parsed.v === 'boolean' ? parsed.v : undefined };
    } catch {
      /* not ours: treat as an id */
    }
  }
  return { storeId: payload };
}

export interface EntryChangeListener {
  /** True while LISTEN is active: only then may cached entries be trusted. */
  readonly live: boolean;
  /** Connects (once) and resolves when LISTEN is active; rejects if the database is unreachable. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Holds one dedicated connection LISTENing on `wss_entry_changed` (fired by triggers on
 * wss_store_entries and wss_stores), so every host process hears every toggle. When the connection
 * drops, `onReset` runs (the cache must be dropped) and it reconnects with backoff.
 */
export function createEntryChangeListener(deps: {
  db: Knex;
  logger: Logger;
  onChange(change: EntryChange): void;
  onReset(): void;
}): EntryChangeListener {
  const { db, logger } = deps;
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let starting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let attempt = 0;

  const settings = (db.client as { connectionSettings?: unknown }).connectionSettings;

  async function connect(): Promise<void> {
    const next = new pg.Client(
      typeof settings === 'string'
        ? { connectionString: settings, keepAlive: true }
        : // knex keeps the password non-enumerable: copy it explicitly.
          { ...(settings as pg.ClientConfig), password: (settings as pg.ClientConfig).password, keepAlive: true },
    );
    next.on('notification', (message) => {
      if (message.channel !== ENTRY_CHANGED_CHANNEL || !message.payload) return;
      deps.onChange(parsePayload(message.payload));
    });
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next));
    await next.connect();
    await next.query(`LISTEN ${ENTRY_CHANGED_CHANNEL}`);
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    live = true;
    attempt = 0;
    // Anything cached before this moment may have missed a notification.
    deps.onReset();
  }

  function lost(which: pg.Client, error?: Error) {
    if (which !== client) return;
    client = null;
    live = false;
    deps.onReset();
    if (closed) return;
    logger.warn('entry change listener lost its connection; entries are read uncached until it is back', {
      error: error?.message,
    });
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (closed || retryTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** attempt++);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      starting = connect().catch((error: Error) => {
        logger.warn('entry change listener reconnect failed', { error: error.message });
        scheduleReconnect();
      }).finally(() => {
        starting = null;
      });
    }, delay);
    retryTimer.unref();
  }

  return {
    get live() {
      return live;
    },
    start() {
      if (live || closed) return Promise.resolve();
      starting ??= connect().finally(() => {
        starting = null;
      });
      return starting;
    },
    async close() {
      closed = true;
      live = false;
      clearTimeout(retryTimer);
      await starting?.catch(() => undefined);
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
