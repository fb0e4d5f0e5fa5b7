import type { IsoTime } from './common.js';

/** A WeCom member the app may see, as the member picker shows it. */
export interface MemberItem {
  userid: string;
  name: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left. */
  status: number | null;
  departments: number[];
  /** Customers the plugin last counted for this account (null: never counted — the bind counts it). */
  fill: { count: number; limit: number; percent: number; countedAt: IsoTime | null } | null;
  /** Stores in the caller's scope the account serves now. */
  boundTo: { storeId: string; storeName: string; role: string }[];
  /** How many stores outside the caller's scope it serves. */
  boundElsewhere: number;
}

export interface MemberSearchBody {
  items: MemberItem[];
  /** When the cached directory was last read from WeCom (null: never). */
  syncedAt: IsoTime | null;
  /** WeCom could not be asked just now: the list is the last one read. */
  stale: boolean;
}
