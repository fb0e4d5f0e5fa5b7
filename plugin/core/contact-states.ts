import { createHash } from 'node:crypto';

/**
 * The contact-way `state` values the plugin hands out; WeCom returns them with every add (callback
 * `State`, `follow_info.state`), which is how an add is attributed. At most 30 characters.
 */
export const STORE_STATE_PREFIX = 'wss:s:';
export const VISIT_STATE_PREFIX = 'wss:v:';
const MAX_STATE = 30;

/** The store live code's state: `wss:s:<storeId>`, or a hash of the id when that is over 30 chars. */
export function liveCodeState(storeId: string): string {
  const plain = `${STORE_STATE_PREFIX}${storeId}`;
  if ([...plain].length <= MAX_STATE) return plain;
  return `${STORE_STATE_PREFIX}h${createHash('sha256').update(storeId).digest('base64url').slice(0, MAX_STATE - STORE_STATE_PREFIX.length - 1)}`;
}
