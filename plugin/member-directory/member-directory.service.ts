import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import type { MemberSearchBody } from '../contract/index.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import { scopeOf } from '../access/scope.js';
import { wecomUnavailable, type WecomClient } from '../wecom/index.js';
import type { CachedMember, MemberDirectoryStore } from './member-directory.store.js';

/** What the directory reads from WeCom: a self-built app's visible range, department by department. */
export type DirectoryWecomApi = Pick<WecomClient, 'listDepartments' | 'listDepartmentUsers'>;

export interface MemberDirectorySyncReport {
  departments: number;
  members: number;
  removed: number;
}

export interface MemberDirectoryService {
  /** The member picker: members whose userid starts with, or whose name contains, `q`. Reads WeCom first when the cache is old. */
  search(actor: Actor, input: { q: string; limit: number }): Promise<MemberSearchBody>;
  /** Job `member-directory-sync`: reads every visible department's members (user/list) and replaces the cache. */
  sync(signal?: AbortSignal): Promise<MemberDirectorySyncReport>;
}

/** A cache older than this is read again before a search (the hourly job usually keeps it younger). */
const STALE_AFTER_MS = 2 * 60 * 60_000;
const PARALLEL_DEPARTMENTS = 4;

/**
 * The app may not list its members directly (user/list_id is for the contact-sync secret only), so
 * the directory is read department by department: department/simplelist, then user/list of each.
 * Members added to the visible range one by one (not through a department) are not listed by WeCom
 * this way; typing their userid still works (user/get).
 */
export function createMemberDirectoryService(deps: { store: MemberDirectoryStore; api: DirectoryWecomApi; logger: Logger }): MemberDirectoryService {
  const { store, api, logger } = deps;
  let inflight: Promise<MemberDirectorySyncReport> | null = null;

  async function read(signal?: AbortSignal): Promise<MemberDirectorySyncReport> {
    const departments = await api.listDepartments();
    const members = new Map<string, CachedMember>();
    await mapWithConcurrency(departments, PARALLEL_DEPARTMENTS, async (d) => {
      if (signal?.aborted) throw new Error('member directory sync aborted');
      for (const u of await api.listDepartmentUsers(d.id)) {
        const known = members.get(u.userid);
        members.set(u.userid, {
          userid: u.userid,
          name: u.name,
          status: u.status,
          departments: [...new Set([...(known?.departments ?? []), ...u.department])].sort((a, b) => a - b),
          mainDepartment: u.main_department ?? known?.mainDepartment ?? null,
        });
      }
    });
    const { removed } = await store.replace([...members.values()]);
    logger.info('member directory read', { departments: departments.length, members: members.size, removed });
    return { departments: departments.length, members: members.size, removed };
  }

  function sync(signal?: AbortSignal) {
    inflight ??= read(signal).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    sync,
    async search(actor, input) {
      let syncedAt = await store.lastSyncedAt();
      let stale = false;
      if (!syncedAt || Date.now() - syncedAt.getTime() > STALE_AFTER_MS) {
        try {
          await sync();
          syncedAt = await store.lastSyncedAt();
        } catch (error) {
          // An old list is better than none; with no list at all the picker says WeCom failed.
          if (!syncedAt) throw wecomUnavailable(error);
          stale = true;
          logger.warn('member directory: WeCom unavailable, serving the cached list', { error: (error as Error).message });
        }
      }
      return { items: await store.search(scopeOf(actor), input.q, input.limit), syncedAt: syncedAt?.toISOString() ?? null, stale };
    },
  };
}
