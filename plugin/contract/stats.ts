import type { IsoTime } from './common.js';

export type FunnelKey = 'orderResultVisitors' | 'entryClickers' | 'guideVisitors' | 'addClickers' | 'confirmedAdds';
export type FunnelCounts = Record<FunnelKey, number>;

export interface FunnelRates {
  /** Entry clickers / order-result visitors. */
  entryClickRate: number | null;
  /** Add clickers / guide visitors. */
  addClickRate: number | null;
  /** Confirmed adds / guide visitors. */
  addRate: number | null;
}

export interface BranchBinding {
  branchId: string;
  branchName: string;
  openStores: number;
  boundStores: number;
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
  binding: { openStores: number; boundStores: number; shownStores: number; bindingRate: number | null };
  funnel: FunnelCounts;
  rates: FunnelRates;
  branches: BranchStats[];
  trend: ({ day: string } & FunnelCounts)[];
  nearCapacity: { threshold: number; accounts: NearCapacityAccount[] };
  rolledUpAt: IsoTime | null;
}

export interface StatsOverviewBody extends StatsOverview {
  canExport: boolean;
}

export interface StoreFunnelBody {
  period: { from: string; to: string; days: number };
  storeId: string;
  funnel: FunnelCounts;
  rates: FunnelRates;
}
