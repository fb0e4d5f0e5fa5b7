import type { IsoTime, Paged } from './common.js';

export interface Forecast {
  /** Net customers added per day over the window; null when there is too little history. */
  perDay: number | null;
  nextLevel: number | null;
  daysToNext: number | null;
  daysToFull: number | null;
}

export interface CapacityAccountItem {
  id: string;
  userid: string;
  name: string;
  count: number;
  limit: number;
  countedAt: IsoTime | null;
  percent: number;
  drift: number | null;
  checkedAt: IsoTime | null;
  syncError: string | null;
  stores: { storeId: string; storeName: string; branchId: string; role: string; routedTo: string }[];
  forecast: Forecast;
}

export interface FillBand {
  from: number;
  to: number | null;
  count: number;
}

export interface CapacityRules {
  thresholds: number[];
  rearmMargin: number;
  hardLevel: number;
  forecastWindowDays: number;
  template: string;
  forecastTemplate: string;
}

export interface CapacityAccountsBody extends Paged<CapacityAccountItem> {
  bands: FillBand[];
  rules: CapacityRules;
  can: { editLimits: boolean; readAlerts: boolean; manageAlerts: boolean };
}

export interface LimitChangeBody {
  account: { id: string; userid: string; name: string; count: number; limit: number; percent: number };
}

export type RobotChannel = 'wecom' | 'dingtalk' | 'feishu';

export interface RoutingView {
  robots: { id: string; name: string; channel: RobotChannel; signed: boolean; mentions: { userids: string[]; mobiles: string[]; all: boolean } }[];
  hqRobots: string[];
  branchRobots: Record<string, string[]>;
  delivery: { perRobotPerMinute: number; maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number };
}

export interface AlertRulesBody {
  rules: CapacityRules;
  routing: RoutingView;
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface DeliveryItem {
  id: string;
  kind: string;
  channel: RobotChannel;
  robotId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: IsoTime;
  sentAt: IsoTime | null;
  nextAttemptAt: IsoTime | null;
  branchId: string | null;
  text: string;
}

export interface DeliveriesBody extends Paged<DeliveryItem> {
  failed: number;
}

export interface DeliveryAttempt {
  attempt: number;
  worker: string;
  startedAt: IsoTime;
  finishedAt: IsoTime | null;
  outcome: string | null;
  errorCode: string | null;
  error: string | null;
}

export interface AttemptsBody {
  items: DeliveryAttempt[];
}

export interface TestSendBody {
  delivery: { id: string; status: DeliveryStatus; attempts: number; lastError: string | null; sentAt: IsoTime | null } | null;
}

/** GET/PUT /capacity/enterprise: the enterprise's customers (counted once) against the scale HQ bought. */
export interface EnterpriseCapacityBody {
  purchasedScale: number | null;
  total: number;
  /** False until the first capacity sync: the total is then the accounts' counts summed. */
  deduplicated: boolean;
  percent: number | null;
  countedAt: string | null;
  levels: number[];
  forecast: Forecast | null;
}

/** GET /member-behavior/drift: WeCom's behaviour data beside the adds the plugin received, per account and day. */
export interface BehaviorDriftBody {
  /** Beijing day, as WeCom counts. */
  day: string;
  items: {
    userid: string;
    name: string;
    /** null: not pulled (yet) for that day. */
    wecomNewContacts: number | null;
    wecomNewApplies: number | null;
    wecomNegativeFeedback: number | null;
    pluginAdds: number;
    /** WeCom − plugin. */
    drift: number | null;
    pulls: number;
    pulledAt: string | null;
  }[];
  totals: { wecomNewContacts: number; pluginAdds: number; membersWithDrift: number; membersNotPulled: number };
}
