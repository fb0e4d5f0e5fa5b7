import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Every advisory lock of the plugin, named here so two features never pick the same key by accident
 * and a newcomer finds who serialises what. Keys are signed 64-bit ids derived from the name.
 */
export const LOCKS = {
  job: (jobId: string) => `wss:job:${jobId}`,
  account: (userid: string) => `wss:account:${userid}`,
  wecomToken: (cacheKey: string) => `wss:wecom-token:${cacheKey}`,
  robot: (robotId: string) => `wss:robot:${robotId}`,
  capacityRoute: (storeId: string) => `wss:capacity-route:${storeId}`,
  guideLease: (storeId: string) => `wss:guide-lease:${storeId}`,
  statsRollup: () => 'wss:stats-rollup',
  reviewDigest: () => 'wss:review-digest',
  acquisition: () => 'wss:acquisition',
} as const;

/** The bigint advisory-lock id of a lock name (as a string: pg's int8). */
export function lockId(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/** Takes a transaction-scoped advisory lock (released at commit or rollback). */
export async function xactLock(trx: Knex | Knex.Transaction, name: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [lockId(name)]);
}
