/**
 * Where access tokens live between calls and processes. `obtain` returns the stored token when it is
 * still usable and not the one a caller just saw rejected; otherwise it fetches a new one while
 * holding an exclusive lock, so only one refresher runs per key (per process, or per database).
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { LOCKS, xactLock } from '../core/locks.js';

export interface StoredToken {
  accessToken: string;
  /** Last moment the token may be used (already includes a safety margin). */
  usableUntil: Date;
}

export interface ObtainOptions {
  /** A token WeCom just rejected: never hand it out again. */
  rejected?: string;
  fetch: () => Promise<StoredToken>;
}

export interface TokenStore {
  obtain(key: string, options: ObtainOptions): Promise<StoredToken>;
}

const usable = (token: StoredToken | undefined, rejected: string | undefined, now = Date.now()): token is StoredToken =>
  token !== undefined && token.accessToken !== rejected && token.usableUntil.getTime() > now;

/** Cache key per app secret; the secret itself is never stored. */
export function tokenCacheKey(corpId: string, corpSecret: string): string {
  return `${corpId}:${createHash('sha256').update(corpSecret).digest('hex').slice(0, 16)}`;
}

export function createMemoryTokenStore(): TokenStore {
  const tokens = new Map<string, StoredToken>();
  const locks = new Map<string, Promise<unknown>>();
  return {
    async obtain(key, { rejected, fetch }) {
      const current = tokens.get(key);
      if (usable(current, rejected)) return current;
      const previous = locks.get(key) ?? Promise.resolve();
      const run = previous.catch(() => undefined).then(async () => {
        const latest = tokens.get(key);
        if (usable(latest, rejected)) return latest;
        const fresh = await fetch();
        tokens.set(key, fresh);
        return fresh;
      });
      locks.set(key, run);
      try {
        return await run;
      } finally {
        if (locks.get(key) === run) locks.delete(key);
      }
    },
  };
}

export const WECOM_TOKENS_TABLE = 'wss_wecom_tokens';

interface TokenRow {
  cache_key: string;
  access_token: string;
  usable_until: Date | string;
}

const fromRow = (row: TokenRow | undefined): StoredToken | undefined =>
  row ? { accessToken: row.access_token, usableUntil: new Date(row.usable_until) } : undefined;

/**
 * Shares the token across processes through `wss_wecom_tokens`. Refreshes run inside a transaction
 * holding `pg_advisory_xact_lock`; the row is read again after the lock is granted, so a process that
 * waited behind another refresher reuses its fresh token instead of calling gettoken again.
 */
export function createDbTokenStore(knex: Knex): TokenStore {
  const memory = createMemoryTokenStore();
  return {
    obtain(key, { rejected, fetch }) {
      // The in-process store gives single-flight; the database gives cross-process exclusion.
      return memory.obtain(key, {
        rejected,
        fetch: async () => {
          const row = await knex<TokenRow>(WECOM_TOKENS_TABLE).where({ cache_key: key }).first();
          const stored = fromRow(row);
          if (usable(stored, rejected)) return stored;
          return knex.transaction(async (trx) => {
            await xactLock(trx, LOCKS.wecomToken(key));
            const locked = fromRow(await trx<TokenRow>(WECOM_TOKENS_TABLE).where({ cache_key: key }).first());
            if (usable(locked, rejected)) return locked;
            const fresh = await fetch();
            await trx(WECOM_TOKENS_TABLE)
              .insert({ cache_key: key, access_token: fresh.accessToken, usable_until: fresh.usableUntil, updated_at: trx.fn.now() })
              .onConflict('cache_key')
              .merge(['access_token', 'usable_until', 'updated_at']);
            return fresh;
          });
        },
      });
    },
  };
}
