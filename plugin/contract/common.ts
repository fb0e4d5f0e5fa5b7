/** An ISO 8601 time with offset, as JSON carries it. */
export type IsoTime = string;

/** The error body of every failed request. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: Record<string, string> } & Record<string, unknown> };
}

/** What the signed-in actor may do, decided by the server from their grants (UI hints only). */
export interface Capabilities {
  bind: boolean;
  shareAccounts: boolean;
  toggleEntries: boolean;
  decideReviews: boolean;
  readCapacity: boolean;
  editCapacity: boolean;
  readAlerts: boolean;
  manageAlerts: boolean;
  readStats: boolean;
  exportStats: boolean;
}

export interface MeBody {
  id: string;
  name: string;
  branchScope: 'all' | string[];
  can: Capabilities;
  /** The configured time zone (IANA): every time the UI shows is in it. */
  timezone: string;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
