import { mapWithConcurrency } from '../core/concurrency.js';
import { UNKNOWN_MEMBER_ERRCODES, WecomApiError, wecomUnavailable } from '../wecom/index.js';
import type { BindingsWecomApi } from './wecom-api.js';

export type MemberLookup =
  | { userid: string; found: true; name: string; status: number }
  | { userid: string; found: false };

/** 1 active; 2 disabled, 4 not activated, 5 left (user/get `status`). */
export const ACTIVE_MEMBER_STATUS = 1;

export const MEMBER_STATUS_TEXT: Record<number, string> = {
  1: '已激活',
  2: '已停用',
  4: '未激活',
  5: '已离职',
};

/**
 * user/get with a short in-process cache and single-flight per userid, so the bind dialog's
 * debounced checks and an import's 5,000 rows never ask WeCom twice for the same member at once.
 */
export function createMemberLookup(deps: { api: BindingsWecomApi; ttlMs?: number; concurrency?: number }) {
  const ttlMs = deps.ttlMs ?? 60_000;
  const cache = new Map<string, { at: number; value: Promise<MemberLookup> }>();

  function lookup(userid: string): Promise<MemberLookup> {
    const hit = cache.get(userid);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = deps.api.getUser(userid).then(
      (user): MemberLookup => ({ userid, found: true, name: user.name, status: user.status }),
      (error: unknown): MemberLookup => {
        if (error instanceof WecomApiError && UNKNOWN_MEMBER_ERRCODES.has(error.errcode)) return { userid, found: false };
        cache.delete(userid);
        throw wecomUnavailable(error);
      },
    );
    cache.set(userid, { at: Date.now(), value });
    if (cache.size > 20_000) cache.delete(cache.keys().next().value!);
    return value;
  }

  return {
    lookup,
    /** Many members with bounded concurrency; `onProgress` after each. */
    async lookupMany(userids: string[], onProgress?: (done: number) => void | Promise<void>): Promise<Map<string, MemberLookup>> {
      let done = 0;
      const results = await mapWithConcurrency([...new Set(userids)], deps.concurrency ?? 8, async (userid) => {
        const result = await lookup(userid);
        done += 1;
        await onProgress?.(done);
        return result;
      });
      return new Map(results.map((r) => [r.userid, r]));
    },
    /** Forgets what WeCom said (after a status change is reported). */
    forget(userid: string) {
      cache.delete(userid);
    },
  };
}

export type MemberLookupService = ReturnType<typeof createMemberLookup>;
