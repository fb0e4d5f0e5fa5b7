import type { IsoTime } from './common.js';

export type FunnelKey =
  | 'orderResultVisitors'
  | 'entryClickers'
  | 'guideVisitors'
  | 'addClickers'
  | 'confirmedAdds'
  /** Guide visitors whose guide visit received an add attributed through `state` (add rate's numerator). */
  | 'guideAdds'
  /** Customers whose add came without a guide visit (plain store live code, other channels). */
  | 'directAdds';
export type FunnelCounts = Record<FunnelKey, number>;

export interface FunnelRates {
  /** Entry clickers / order-result visitors. */
  entryClickRate: number | null;
  /** Add clickers / guide visitors. */
  addClickRate: number | null;
  /** Guide visitors whose visit received an attributed add / guide visitors (never above 1). */
  addRate: number | null;
}

export interface BranchBinding {
  branchId: string;
  branchName: string;
  openStores: number;
  /** Open stores with an active binding to an account WeCom reports usable. */
  boundStores: number;
  /** Open stores whose active bindings are all to accounts WeCom reports disabled or gone. */
  unusableOnlyStores: number;
  shownStores: number;
}

export interface BranchStats extends BranchBinding {
  bindingRate: number | null;
  funnel: FunnelCounts;
  rates: FunnelRates;
}

export interface NearCapacityAccount {
  userid: string;
  name: string;
  customerCount: number;
  capacityLimit: number;
  storeIds: string[];
  storeNames: string[];
  usage: number;
}

export interface StatsOverview {
  period: { from: string; to: string; days: number; timezone: string };
  branchId: string | null;
  binding: { openStores: number; boundStores: number; unusableOnlyStores: number; shownStores: number; bindingRate: number | null };
  funnel: FunnelCounts;
  rates: FunnelRates;
  branches: BranchStats[];
  trend: ({ day: string } & FunnelCounts)[];
  /** Daily binding snapshots of the scope (null before the first snapshot). */
  bindingTrend: { day: string; openStores: number | null; boundStores: number | null; unusableOnlyStores: number | null; bindingRate: number | null }[];
  nearCapacity: { threshold: number; accounts: NearCapacityAccount[] };
  rolledUpAt: IsoTime | null;
}

export interface StatsOverviewBody extends StatsOverview {
  canExport: boolean;
  /** HQ may ask for a refresh now (POST /stats/refresh). */
  canRefresh: boolean;
}

/** The answer to POST /stats/refresh. */
export interface StatsRefreshBody {
  from: string;
  to: string;
  /** Older days that were dirty and were rolled up too. */
  dirtyDays: number;
  refreshedAt: IsoTime;
}

export interface StoreFunnelBody {
  period: { from: string; to: string; days: number };
  storeId: string;
  funnel: FunnelCounts;
  rates: FunnelRates;
  /**
   * The store's confirmed-add customers of the period: new = their enterprise-wide first add (any
   * account) is on the day of their first add here; returning = added to the enterprise before.
   */
  customers: { newCustomers: number; returningCustomers: number };
}

/** GET /customers/:externalUserid/first-add. */
export interface CustomerFirstAddBody {
  externalUserid: string;
  /** Earliest add to any of the enterprise's accounts. */
  firstAddedAt: IsoTime;
}
