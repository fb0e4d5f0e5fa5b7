import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Knex } from 'knex';
import { StartupError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

const ENTRY_CHANGED_CHANNEL = 'wss_entry_changed';
const HEARTBEAT_CHANNEL = 'wss_entry_listener_heartbeat';

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
  /**
   * True while cached entries may be trusted: a heartbeat NOTIFY sent through the pool no longer ago
   * than three heartbeats came back on the LISTEN connection. Notifications arrive in commit order,
   * so every change committed before that heartbeat has been heard.
   */
  readonly live: boolean;
  /** Starts connecting in the background if it is not (reads never wait for it). */
  ensureStarted(): void;
  /** Connects and waits for the first heartbeat round trip; rejects with a StartupError naming the fix. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface EntryChangeListenerDeps {
  db: Knex;
  /** A direct connection for LISTEN (bypassing a transaction pooler); default: the knex connection. */
  connection?: string;
  logger: Logger;
  heartbeatMs: number;
  onChange(change: EntryChange): void;
  /** The cache must be dropped: a new connection may have missed notifications. */
  onReset(): void;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Holds one dedicated connection LISTENing on `wss_entry_changed` (fired by triggers on
 * wss_store_entries and wss_stores), so every host process hears every toggle. Every `heartbeatMs`
 * it NOTIFYs itself through the pool: the round trip proves the whole path, including a connection
 * gone half-open (no FIN/RST) or a pooler that drops notifications. Trust lapses after three missed
 * heartbeats (reads go to the database); after five the connection is torn down and replaced.
 */
export function createEntryChangeListener(deps: EntryChangeListenerDeps): EntryChangeListener {
  const { db, logger, heartbeatMs } = deps;
  const trustMs = heartbeatMs * 3;
  const deadMs = heartbeatMs * 5;
  const token = randomBytes(6).toString('hex');
  let client: pg.Client | null = null;
  let closed = false;
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let seq = 0;
  const sentAt = new Map<number, number>();
  /** Send time of the newest heartbeat that came back on the current connection. */
  let confirmedSentAt = 0;
  let connectedAt = 0;
  let trusted = false;
  let lapsed = false;
  let heard: (() => void) | null = null;

  function clientConfig(): pg.ClientConfig {
    if (deps.connection) return { connectionString: deps.connection, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
    const settings = (db.client as { connectionSettings?: unknown }).connectionSettings;
    if (typeof settings === 'string') return { connectionString: settings, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
    // knex keeps the password non-enumerable: copy it explicitly.
    const config = settings as pg.ClientConfig;
    return { ...config, password: config.password, keepAlive: true, keepAliveInitialDelayMillis: 10_000 };
  }

  const isLive = () => client !== null && Date.now() - confirmedSentAt <= trustMs;

  function onNotification(message: pg.Notification) {
    if (message.channel === HEARTBEAT_CHANNEL) {
      const [from, n] = (message.payload ?? '').split(':');
      const at = from === token ? sentAt.get(Number(n)) : undefined;
      if (at !== undefined) {
        confirmedSentAt = Math.max(confirmedSentAt, at);
        attempt = 0;
        if (!trusted && isLive()) {
          if (lapsed) logger.info('entry change listener heartbeat is back; entries are cached again');
          trusted = true;
        }
        for (const key of sentAt.keys()) if (key <= Number(n)) sentAt.delete(key);
        heard?.();
      }
      return;
    }
    if (message.channel === ENTRY_CHANGED_CHANNEL && message.payload) deps.onChange(parsePayload(message.payload));
  }

  function destroy(which: pg.Client) {
    which.removeAllListeners('notification');
    which.on('error', () => undefined);
    which.end().catch(() => undefined);
    // end() waits for the server's answer, which a half-open connection never sends.
    (which as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  function lost(which: pg.Client, reason: string) {
    if (which !== client) return;
    client = null;
    trusted = false;
    destroy(which);
    deps.onReset();
    if (closed) return;
    logger.warn('entry change listener lost its connection; entries are read uncached until it is back', { reason });
    scheduleReconnect();
  }

  function beat() {
    const current = client;
    if (!current || closed) return;
    const now = Date.now();
    const live = now - confirmedSentAt <= trustMs;
    if (trusted && !live) {
      lapsed = true;
      logger.warn('entry change listener missed its heartbeats; entries are read uncached', { silentForMs: now - confirmedSentAt });
    }
    trusted = live;
    if (now - Math.max(confirmedSentAt, connectedAt) > deadMs) return lost(current, `no heartbeat for ${now - Math.max(confirmedSentAt, connectedAt)} ms`);
    seq += 1;
    sentAt.set(seq, now);
    db.raw('SELECT pg_notify(?, ?)', [HEARTBEAT_CHANNEL, `${token}:${seq}`]).catch((error: unknown) =>
      logger.debug('entry change listener heartbeat not sent', { error: errorText(error) }),
    );
  }

  async function connect(): Promise<void> {
    const next = new pg.Client(clientConfig());
    next.on('notification', onNotification);
    next.on('error', (error) => lost(next, error.message));
    next.on('end', () => lost(next, 'connection ended'));
    try {
      await next.connect();
      await next.query(`LISTEN ${ENTRY_CHANGED_CHANNEL}; LISTEN ${HEARTBEAT_CHANNEL}`);
    } catch (error) {
      destroy(next);
      throw error;
    }
    if (closed) return destroy(next);
    client = next;
    connectedAt = Date.now();
    confirmedSentAt = 0;
    sentAt.clear();
    // Anything cached before this moment may have missed a notification.
    deps.onReset();
    beat();
  }

  function scheduleReconnect() {
    if (closed || retryTimer) return;
    const delay = Math.min(30_000, 250 * 2 ** attempt++);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      begin().catch(() => undefined);
    }, delay);
    retryTimer.unref();
  }

  /** One connection attempt at a time; a failure schedules the next with backoff. */
  function begin(): Promise<void> {
    connecting ??= connect()
      .catch((error: unknown) => {
        logger.warn('entry change listener could not connect', { error: errorText(error) });
        scheduleReconnect();
        throw error;
      })
      .finally(() => {
        connecting = null;
      });
    return connecting;
  }

  function waitForHeartbeat(timeoutMs: number): Promise<boolean> {
    if (isLive()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        heard = null;
        resolve(isLive());
      }, timeoutMs);
      heard = () => {
        clearTimeout(timer);
        heard = null;
        resolve(true);
      };
    });
  }

  heartbeatTimer = setInterval(beat, heartbeatMs);
  heartbeatTimer.unref();

  return {
    get live() {
      return isLive();
    },
    ensureStarted() {
      if (closed || client || connecting || retryTimer) return;
      begin().catch(() => undefined);
    },
    async start() {
      if (closed) return;
      if (!client) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
        try {
          await begin();
        } catch (error) {
          throw new StartupError(`wecom-store-service: the entry cache cannot LISTEN: ${errorText(error)}`, 'database.directUrl');
        }
      }
      if (!(await waitForHeartbeat(Math.max(2000, trustMs)))) {
        throw new StartupError(
          'wecom-store-service: LISTEN does not receive notifications through the configured connection ' +
            '(a transaction pooler such as PgBouncer in transaction mode drops them). Set database.directUrl ' +
            'to a direct PostgreSQL connection for LISTEN.',
          'database.directUrl',
        );
      }
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      heartbeatTimer = undefined;
      await connecting?.catch(() => undefined);
      const current = client;
      client = null;
      if (current) {
        current.removeAllListeners('end');
        await Promise.race([current.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
        destroy(current);
      }
    },
  };
}
