import type { IsoTime, Paged } from './common.js';

export type BindingRole = 'primary' | 'backup' | 'retired';

export interface BranchItem {
  id: string;
  name: string;
  active: boolean;
  openStores: number;
}

export interface StoreItem {
  id: string;
  name: string;
  branchId: string;
  branchName: string;
  isOpen: boolean;
  bound: boolean;
  primaryUserid: string | null;
  primaryName: string | null;
  activeAccounts: number;
  visible: boolean;
  entryReason: string | null;
}

export type StoreListBody = Paged<StoreItem>;
export interface BranchListBody {
  items: BranchItem[];
}

export interface EntryState {
  visible: boolean;
  reason: string | null;
  hiddenAutomatically: string | null;
  version: number;
  changedAt: IsoTime | null;
  changedBy: string | null;
}

export interface LiveCodeView {
  storeId: string;
  configId: string;
  qrCode: string | null;
  state: string;
  accountUserids: string[];
  updatedAt: IsoTime;
}

export interface StoreDetailBody {
  store: { id: string; name: string; branchId: string; isOpen: boolean };
  bindings: { userid: string; name: string; role: BindingRole; boundAt: IsoTime }[];
  entry: EntryState;
  liveCode: LiveCodeView | null;
}

export interface BindingView {
  primary: string | null;
  backups: string[];
  retired: string[];
}

export interface BindingChangeBody {
  action: 'bind' | 'add_backup' | 'promote' | 'rebind' | 'replace' | 'unbind' | 'unchanged';
  before: BindingView;
  after: BindingView;
}

export interface HistoryBinding {
  userid: string;
  name: string;
  wecomStatus: number | null;
  customerCount: number;
  capacityLimit: number;
  role: BindingRole;
  boundAt: IsoTime;
  boundBy: string;
  endedAt: IsoTime | null;
  endedBy: string | null;
  endReason: string | null;
}

export interface AuditRow {
  id: string;
  at: IsoTime;
  actorId: string;
  actorName: string;
  action: string;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface StoreHistoryBody {
  storeId: string;
  bindings: HistoryBinding[];
  audit: AuditRow[];
}

/** An account's customers against its limit, counted from WeCom (externalcontact/list) just now. */
export interface AccountFill {
  count: number;
  limit: number;
  /** One decimal, floored. */
  percent: number;
  /** ok, at/over the lowest warning threshold (needs a confirmation), or at/over the hard level (refused). */
  level: 'ok' | 'warning' | 'full';
  warningLevel: number;
  hardLevel: number;
  countedAt: IsoTime;
}

export interface AccountCheckBody {
  userid: string;
  found: boolean;
  name: string | null;
  status: number | null;
  statusText: string | null;
  /** Its stores in the actor's branches; `boundOutsideScope` says it also serves stores elsewhere (never which). */
  boundTo: { userid: string; storeId: string; storeName: string; role: BindingRole }[];
  boundOutsideScope: boolean;
  sharingAllowed: boolean;
  problem: string | null;
  message: string | null;
  canBind: boolean;
  /** Its customers right now (null when the member cannot be bound or WeCom did not answer). */
  capacity: AccountFill | null;
}

export interface SharingBody {
  userid: string;
  sharingAllowed: boolean;
}

export interface VisibilityChangeBody {
  changed: string[];
  unchanged: number;
  /** With `onlyEligible`: the stores that could not be shown, and why. */
  skipped?: { storeId: string; storeName: string; problem: 'store_closed' | 'no_active_account'; message: string }[];
}

export type ImportStatus = 'validating' | 'validated' | 'committing' | 'committed' | 'failed';

export interface ImportReportRow {
  row: number;
  storeId: string;
  userid: string;
  role: 'primary' | 'backup' | null;
  status: 'ok' | 'error';
  action?: BindingChangeBody['action'];
  accountName?: string;
  code?: string;
  message?: string;
}

export interface ImportSummary {
  total: number;
  ok: number;
  errors: number;
  byAction: Record<string, number>;
  byCode: Record<string, number>;
}

export interface ImportJobBody {
  id: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  status: ImportStatus;
  totalRows: number;
  processedRows: number;
  summary: ImportSummary | null;
  report: ImportReportRow[] | null;
  error: string | null;
  createdAt: IsoTime;
  committedAt: IsoTime | null;
}
