import type { Context } from 'koa';

/** Who is calling, as the host CRM knows them. */
export interface Actor {
  id: string;
  name: string;
  /** Granted permission ids, e.g. `wecom-store-service.bindings:read`. */
  permissions: readonly string[];
  /** `all` for HQ; otherwise the branch ids the actor may see and change. */
  branchScope: 'all' | readonly string[];
}

export interface HostBranch {
  id: string;
  name: string;
}

export interface HostStore {
  /** The CRM store id. */
  id: string;
  name: string;
  branchId: string;
  isOpen: boolean;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page; null when this was the last one. */
  nextCursor: string | null;
}

/** The host's organisation, read page by page so 50,000 stores never sit in memory at once. */
export interface HostDirectory {
  listBranches(): Promise<HostBranch[]>;
  listStores(page: { cursor: string | null; limit: number }): Promise<Page<HostStore>>;
}

/** Everything the plugin needs from the host CRM. */
export interface HostAdapter {
  /** The signed-in actor, or null when nobody is (→ 401). */
  authenticate(ctx: Context): Promise<Actor | null> | Actor | null;
  directory: HostDirectory;
}
