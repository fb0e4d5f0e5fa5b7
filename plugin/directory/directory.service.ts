import type { Knex } from 'knex';
import type { Actor, HostDirectory } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import type { BranchItem } from '../contract/index.js';
import { scopeOf } from '../access/scope.js';
import { todayIn } from '../core/days.js';
import type { DirectoryStore } from './directory.store.js';

export interface DirectorySyncResult {
  branches: { inserted: number; updated: number; deactivated: number };
  stores: { seen: number; inserted: number; updated: number; closedMissing: number; skippedUnknownBranch: number; movedBranch: number };
}

export interface DirectoryService {
  /** Job `directory-sync`: mirrors the host's directory in one transaction (idempotent). */
  sync(signal?: AbortSignal): Promise<DirectorySyncResult>;
  /** Branches in the actor's scope, with their open-store counts. */
  listBranches(actor: Actor): Promise<BranchItem[]>;
}

/** Called inside the sync's transaction with the closed stores whose entry is still shown. */
export interface StoresClosedListener {
  storesClosed(trx: Knex.Transaction, storeIds: string[]): Promise<void>;
}

const STORE_PAGE_SIZE = 1000;

export function createDirectoryService(deps: {
  db: Knex;
  store: DirectoryStore;
  directory: HostDirectory;
  logger: Logger;
  storesClosed: StoresClosedListener[];
  /** The configured time zone: a store that moves belongs to its new branch from today on. */
  timezone?: string;
}): DirectoryService {
  const { db, store, directory, logger } = deps;

  return {
    /**
     * Mirrors branches and stores from the host, page by page, in one transaction: idempotent
     * (an unchanged directory changes no row), and a store that disappeared is closed, not deleted.
     */
    async sync(signal) {
      const branches = await directory.listBranches();
      const branchIds = new Set(branches.map((b) => b.id));
      const result: DirectorySyncResult = {
        branches: { inserted: 0, updated: 0, deactivated: 0 },
        stores: { seen: 0, inserted: 0, updated: 0, closedMissing: 0, skippedUnknownBranch: 0, movedBranch: 0 },
      };
      await db.transaction(async (trx) => {
        const b = await store.upsertBranches(trx, branches);
        result.branches.inserted = b.inserted;
        result.branches.updated = b.updated;
        result.branches.deactivated = await store.deactivateMissingBranches(trx, [...branchIds]);
        await store.createSeenTable(trx);
        let cursor: string | null = null;
        do {
          if (signal?.aborted) throw new Error('directory sync aborted');
          const page = await directory.listStores({ cursor, limit: STORE_PAGE_SIZE });
          const known = page.items.filter((s) => branchIds.has(s.branchId));
          result.stores.skippedUnknownBranch += page.items.length - known.length;
          result.stores.seen += known.length;
          const s = await store.upsertStores(trx, known);
          result.stores.inserted += s.inserted;
          result.stores.updated += s.updated;
          const history = await store.recordBranches(trx, known.map((k) => k.id), todayIn(deps.timezone ?? 'Asia/Shanghai'));
          result.stores.movedBranch += history.moved.length;
          await store.markDaysOfStoresDirty(trx, history.firstSeen);
          cursor = page.nextCursor;
        } while (cursor);
        const closed = await store.closeUnseenStores(trx);
        result.stores.closedMissing = closed.length;
        const shown = await store.closedStoresStillShown(trx);
        if (shown.length) for (const listener of deps.storesClosed) await listener.storesClosed(trx, shown);
      });
      if (result.stores.skippedUnknownBranch) {
        logger.warn('directory sync skipped stores of unknown branches', { count: result.stores.skippedUnknownBranch });
      }
      logger.info('directory sync done', { ...result.branches, ...result.stores });
      return result;
    },

    listBranches(actor) {
      return store.listBranches(scopeOf(actor));
    },
  };
}
