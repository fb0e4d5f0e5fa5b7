/** In-memory data of the simulated corp: members, customer relations, contact ways, robots, counters. */
import type { WindowCounter } from './rate-window.js';
import type { BehaviorDay, SimTransfer } from './transfers.js';

export type MemberStatus = 1 | 2 | 4 | 5;

export interface SimMember {
  userid: string;
  name: string;
  status: MemberStatus;
  main_department: number;
  department: number[];
  /** Whether the member has "customer contact" enabled (shows up in get_follow_user_list). */
  externalContactEnabled: boolean;
  /** Customer capacity (WeCom: 5,000 by default, up to 20,000 after approval). */
  capacity: number;
  /** When the member left (status 5), on the simulator's clock. */
  resignedAt?: number;
}

export interface SimDepartment {
  id: number;
  name: string;
  /** 0 for the root (id 1). */
  parentid: number;
  order: number;
}

/**
 * The self-built app's visible range (可见范围) as the admin console sets it: whole departments
 * (with their sub-departments) and single members. null: the whole enterprise.
 */
export interface SimVisibleRange {
  departments: number[];
  users: string[];
}

export interface SimCustomer {
  external_userid: string;
  name: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  unionid?: string;
}

/** One member–customer relation (follow_info). */
export interface SimRelation {
  userid: string;
  external_userid: string;
  remark: string;
  createtime: number;
  add_way: number;
  state?: string;
  oper_userid: string;
  tag_id: string[];
}

export interface SimContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark?: string;
  skip_verify: boolean;
  state?: string;
  user: string[];
  party: number[];
  is_temp: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  is_exclusive?: boolean;
  qr_code?: string;
  createdAt: number;
}

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu';

export interface SimRobot {
  kind: RobotKind;
  /** WeCom `key`, DingTalk `access_token` or Feishu hook token. */
  key: string;
  secret?: string;
  /** DingTalk: throttled until this time (ms) after exceeding 20/min. */
  throttledUntil?: number;
  sentAt: number[];
}

export interface RobotMessageRecord {
  id: number;
  kind: RobotKind;
  key: string;
  at: string;
  msgtype: string;
  content: string;
  body: unknown;
}

export interface ApiCounter {
  calls: number;
  ok: number;
  errors: Record<string, number>;
  /** Largest number of arrivals seen inside one rate-limit window. */
  maxPerWindow: number;
  /** Requests being answered right now, and the most seen at once. */
  inFlight: number;
  maxConcurrent: number;
}

export interface WelcomeCode {
  code: string;
  userid: string;
  external_userid: string;
  expiresAt: number;
  used: boolean;
  /** Another app of the enterprise is sending with this code until then (41096). */
  otherAppSendingUntil?: number;
  /** What was sent, for tests and the pages. */
  sent?: { text?: string; attachments?: unknown[]; by: 'this_app' | 'other_app' };
}

/** A customer acquisition link (获客链接). */
export interface SimAcquisitionLink {
  link_id: string;
  link_name: string;
  url: string;
  create_time: number;
  skip_verify: boolean;
  user_list: string[];
  department_list: number[];
  priority_type?: 1 | 2;
  priority_userid_list: string[];
  mark_source: boolean;
  /** WeCom marks a link unavailable (e.g. every member in its range left or is at its limit). */
  unavailable: boolean;
}

/** A customer who added a member through a link (customer_acquisition/customer). */
export interface SimAcquisitionCustomer {
  link_id: string;
  userid: string;
  external_userid: string;
  /** 0 not yet chatted, 1 chatted, 2 … (WeCom's chat_status). */
  chat_status: 0 | 1 | 2;
  state?: string;
  createtime: number;
}

/** A purchased package of acquisition quota: what is left of it and when it expires (epoch s). */
export interface SimQuotaPackage {
  amount: number;
  balance: number;
  expire_date: number;
}

export interface PathFault {
  latencyMs?: number;
  http5xxRemaining?: number;
  errcode?: number;
  errcodeRemaining?: number;
  /** Robots: take the message, then close the connection without an answer (the answer is lost). */
  dropAnswersRemaining?: number;
}

export interface SimState {
  corpId: string;
  agentId: string;
  members: Map<string, SimMember>;
  customers: Map<string, SimCustomer>;
  relations: SimRelation[];
  contactWays: Map<string, SimContactWay>;
  contactWayQuota: number;
  /** token → expiry (ms since epoch). */
  tokens: Map<string, number>;
  welcomeCodes: Map<string, WelcomeCode>;
  robots: Map<string, SimRobot>;
  robotMessages: RobotMessageRecord[];
  departments: Map<number, SimDepartment>;
  visibleRange: SimVisibleRange | null;
  /** Tokens issued for the contact-sync secret (通讯录同步), which alone may call user/list_id. */
  contactSyncTokens: Set<string>;
  counters: Map<string, ApiCounter>;
  faults: Map<string, PathFault>;
  dropCallbacksRemaining: number;
  /** Frequency windows by API path or robot id. */
  windows: Map<string, WindowCounter>;
  sequence: number;
  /** Customer handovers (继承) requested, by request order. */
  transfers: SimTransfer[];
  /** Behaviour figures by `userid|YYYY-MM-DD` (Beijing day). */
  behavior: Map<string, BehaviorDay>;
  /** How far the simulator's clock runs ahead of the real one (handover delays, 90-day rule, days). */
  clockOffsetMs: number;
  acquisitionLinks: Map<string, SimAcquisitionLink>;
  acquisitionCustomers: SimAcquisitionCustomer[];
  /** Link opens: link id, epoch seconds, an opaque visitor key (distinct customers per day). */
  acquisitionClicks: { link_id: string; at: number; visitor: string }[];
  quotaPackages: SimQuotaPackage[];
  /** Whether balance_low was raised since the balance last rose to 20 or more. */
  balanceLowRaised: boolean;
}

/** Every corp has its root department, id 1. */
function rootDepartments(): Map<number, SimDepartment> {
  return new Map([[1, { id: 1, name: '企业', parentid: 0, order: 0 }]]);
}

export function createState(corpId: string, agentId: string, contactWayQuota: number): SimState {
  return {
    corpId,
    agentId,
    members: new Map(),
    customers: new Map(),
    relations: [],
    contactWays: new Map(),
    contactWayQuota,
    tokens: new Map(),
    welcomeCodes: new Map(),
    robots: new Map(),
    robotMessages: [],
    departments: rootDepartments(),
    visibleRange: null,
    contactSyncTokens: new Set(),
    counters: new Map(),
    faults: new Map(),
    dropCallbacksRemaining: 0,
    windows: new Map(),
    sequence: 0,
    transfers: [],
    behavior: new Map(),
    clockOffsetMs: 0,
    acquisitionLinks: new Map(),
    acquisitionCustomers: [],
    acquisitionClicks: [],
    quotaPackages: [],
    balanceLowRaised: false,
  };
}

export function resetState(state: SimState): void {
  state.members.clear();
  state.customers.clear();
  state.relations = [];
  state.contactWays.clear();
  state.tokens.clear();
  state.welcomeCodes.clear();
  state.robots.clear();
  state.robotMessages = [];
  state.departments = rootDepartments();
  state.visibleRange = null;
  state.contactSyncTokens.clear();
  state.counters.clear();
  state.faults.clear();
  state.dropCallbacksRemaining = 0;
  state.windows.clear();
  state.transfers = [];
  state.behavior.clear();
  state.clockOffsetMs = 0;
  state.acquisitionLinks.clear();
  state.acquisitionCustomers = [];
  state.acquisitionClicks = [];
  state.quotaPackages = [];
  state.balanceLowRaised = false;
}

export function nextId(state: SimState, prefix: string): string {
  state.sequence += 1;
  return `${prefix}${Date.now().toString(36)}${state.sequence.toString(36).padStart(4, '0')}`;
}

export function upsertMember(state: SimState, input: Partial<SimMember> & { userid: string }): SimMember {
  const existing = state.members.get(input.userid);
  const member: SimMember = {
    userid: input.userid,
    name: input.name ?? existing?.name ?? input.userid,
    status: input.status ?? existing?.status ?? 1,
    main_department: input.main_department ?? existing?.main_department ?? 1,
    department: input.department ?? existing?.department ?? [1],
    externalContactEnabled: input.externalContactEnabled ?? existing?.externalContactEnabled ?? true,
    capacity: input.capacity ?? existing?.capacity ?? 5000,
  };
  const status = member.status;
  if (status === 5) member.resignedAt = existing?.status === 5 ? existing.resignedAt : (input.resignedAt ?? Date.now() + state.clockOffsetMs);
  state.members.set(member.userid, member);
  return member;
}

export function relationsOf(state: SimState, userid: string): SimRelation[] {
  return state.relations.filter((r) => r.userid === userid);
}

export function findRelation(state: SimState, userid: string, externalUserid: string): SimRelation | undefined {
  return state.relations.find((r) => r.userid === userid && r.external_userid === externalUserid);
}

export function removeRelation(state: SimState, userid: string, externalUserid: string): SimRelation | undefined {
  const index = state.relations.findIndex((r) => r.userid === userid && r.external_userid === externalUserid);
  if (index < 0) return undefined;
  const [removed] = state.relations.splice(index, 1);
  return removed;
}

export function counterFor(state: SimState, api: string): ApiCounter {
  let counter = state.counters.get(api);
  if (!counter) {
    counter = { calls: 0, ok: 0, errors: {}, maxPerWindow: 0, inFlight: 0, maxConcurrent: 0 };
    state.counters.set(api, counter);
  }
  return counter;
}

/** The department and every department under it. */
export function subtreeOf(state: SimState, id: number): Set<number> {
  const out = new Set<number>([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of state.departments.values()) {
      if (out.has(d.parentid) && !out.has(d.id)) {
        out.add(d.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Departments inside the app's visible range. */
export function visibleDepartments(state: SimState): Set<number> {
  if (!state.visibleRange) return new Set(state.departments.keys());
  const out = new Set<number>();
  for (const id of state.visibleRange.departments) if (state.departments.has(id)) for (const d of subtreeOf(state, id)) out.add(d);
  return out;
}

/** A member the app may see: in a visible department, or named in the range. */
export function memberVisible(state: SimState, member: SimMember): boolean {
  if (!state.visibleRange) return true;
  if (state.visibleRange.users.includes(member.userid)) return true;
  const depts = visibleDepartments(state);
  return member.department.some((d) => depts.has(d));
}
