/**
 * Handing customers over (继承) [WD 96325, 96331] and member behaviour data [WD 96358], as
 * WeCom answers them:
 * - `transfer_customer` (在职继承) and `resigned/transfer_customer` (离职继承): ≤100 customers a call,
 *   one errcode per customer; an in-service customer is handed over at most twice in 90 days (40128),
 *   one at a time (40129), may refuse (status 3), and is taken over after 24 h (status 1) unless the
 *   taker is at its limit then (status 4). The handover member then loses the relation
 *   (`del_external_contact`, Source `DELETE_BY_TRANSFER`, in service); a failure raises `transfer_fail`
 *   with `FailReason` `customer_refused` or `customer_limit_exceed`.
 * - `transfer_result` / `resigned/transfer_result`: the pair's customers and their status, by cursor.
 * - `get_unassigned_list`: customers of members who left and are not handed over yet.
 * - `get_user_behavior_data`: per-day figures, several members aggregated; span ≤30 days within the
 *   last 180; yesterday reads as zeros until `behaviorReadyHour` (Beijing time).
 * Time is the simulator's clock (`simNow`), which `/sim/clock/advance` moves forward.
 */
import { ok, type ApiResult, type ApiRoute, type SimContext } from './context.js';
import { wecomError } from './errors.js';
import { num, str, strArray } from './http-utils.js';
import { findRelation, relationsOf, removeRelation, type SimMember, type SimState } from './state.js';

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const MAX_CUSTOMERS_PER_CALL = 100;
const MAX_SUCCESS_MSG_CHARS = 200;
const SERVICE_TRANSFERS_PER_90_DAYS = 2;
const RESIGNED_WITHIN_MS = 365 * DAY_MS;
const RESULT_PAGE = 1000;
const UNASSIGNED_PAGE_MAX = 1000;

export type TransferKind = 'service' | 'resigned';

export interface SimTransfer {
  kind: TransferKind;
  handover_userid: string;
  takeover_userid: string;
  external_userid: string;
  requestedAt: number;
  /** 1 done, 2 waiting, 3 refused, 4 taker at its limit. */
  status: 1 | 2 | 3 | 4;
  takeover_time?: number;
}

export const BEHAVIOR_FIELDS = ['new_apply_cnt', 'new_contact_cnt', 'chat_cnt', 'message_cnt', 'reply_percentage', 'avg_reply_time', 'negative_feedback_cnt'] as const;
export type BehaviorField = (typeof BEHAVIOR_FIELDS)[number];
export type BehaviorDay = Partial<Record<BehaviorField, number>>;

export function simNow(state: SimState): number {
  return Date.now() + state.clockOffsetMs;
}

/** Start of the Beijing day holding `ms`, in ms. */
export function beijingDayStart(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
}

/** `YYYY-MM-DD` of the Beijing day holding `ms`. */
export function beijingDay(ms: number): string {
  return new Date(beijingDayStart(ms) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** Counts one behaviour figure of a member on today's Beijing day (adds, deletes by the customer). */
export function countBehavior(state: SimState, userid: string, field: BehaviorField, by = 1): void {
  const key = `${userid}|${beijingDay(simNow(state))}`;
  const day = state.behavior.get(key) ?? {};
  day[field] = (day[field] ?? 0) + by;
  state.behavior.set(key, day);
}

/** Completes the transfers whose 24 hours are over (lazily, whenever one is looked at). */
export function settleTransfers(sim: SimContext): void {
  const { state } = sim;
  const now = simNow(state);
  for (const transfer of state.transfers) {
    if (transfer.status !== 2 || transfer.requestedAt + sim.options.transferDelayMs > now) continue;
    const taker = state.members.get(transfer.takeover_userid);
    const relation = findRelation(state, transfer.handover_userid, transfer.external_userid);
    if (!taker || relationsOf(state, taker.userid).length >= taker.capacity) {
      transfer.status = 4;
      sim.dispatcher.enqueue({ changeType: 'transfer_fail', userid: transfer.takeover_userid, externalUserId: transfer.external_userid, failReason: 'customer_limit_exceed' });
      continue;
    }
    const takeoverTime = Math.floor(Math.max(now, transfer.requestedAt + sim.options.transferDelayMs) / 1000);
    if (relation) removeRelation(state, transfer.handover_userid, transfer.external_userid);
    if (!findRelation(state, taker.userid, transfer.external_userid)) {
      state.relations.push({
        userid: taker.userid,
        external_userid: transfer.external_userid,
        remark: relation?.remark ?? '',
        createtime: takeoverTime,
        add_way: relation?.add_way ?? 0,
        state: relation?.state,
        oper_userid: relation?.oper_userid ?? transfer.external_userid,
        tag_id: relation?.tag_id ?? [],
      });
    }
    transfer.status = 1;
    transfer.takeover_time = takeoverTime;
    if (transfer.kind === 'service' && relation) {
      sim.dispatcher.enqueue({ changeType: 'del_external_contact', userid: transfer.handover_userid, externalUserId: transfer.external_userid, source: 'DELETE_BY_TRANSFER' });
    }
  }
}

/** The customer refuses an in-service handover still waiting. */
export function refuseTransfer(sim: SimContext, externalUserid: string, handoverUserid?: string): SimTransfer | undefined {
  settleTransfers(sim);
  const transfer = sim.state.transfers.find(
    (t) => t.kind === 'service' && t.status === 2 && t.external_userid === externalUserid && (!handoverUserid || t.handover_userid === handoverUserid),
  );
  if (!transfer) return undefined;
  transfer.status = 3;
  sim.dispatcher.enqueue({ changeType: 'transfer_fail', userid: transfer.takeover_userid, externalUserId: externalUserid, failReason: 'customer_refused' });
  return transfer;
}

function encodeCursor(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

export function transferRoutes(sim: SimContext): Record<string, ApiRoute> {
  const { state } = sim;

  function members(body: Record<string, unknown> | undefined): { handover: SimMember; takeover: SimMember } | ApiResult {
    const handoverId = str(body?.handover_userid);
    const takeoverId = str(body?.takeover_userid);
    if (!handoverId || !takeoverId) return wecomError(40058, 'handover_userid and takeover_userid are required');
    const handover = state.members.get(handoverId);
    const takeover = state.members.get(takeoverId);
    if (!handover) return wecomError(60111, `userid not found: ${handoverId}`);
    if (!takeover) return wecomError(60111, `userid not found: ${takeoverId}`);
    if (handoverId === takeoverId) return wecomError(40130);
    return { handover, takeover };
  }

  function transfer(kind: TransferKind, body: Record<string, unknown> | undefined): ApiResult {
    const pair = members(body);
    if ('errcode' in pair) return pair;
    const { handover, takeover } = pair;
    const customers = strArray(body?.external_userid);
    if (!customers || customers.length === 0 || customers.length > MAX_CUSTOMERS_PER_CALL) return wecomError(40058, 'external_userid must list 1 ~ 100 customers');
    const now = simNow(state);
    if (kind === 'service') {
      const message = body?.transfer_success_msg;
      if (message !== undefined && (typeof message !== 'string' || [...message].length > MAX_SUCCESS_MSG_CHARS)) return wecomError(40058, 'transfer_success_msg exceeds 200 characters');
      if (handover.status === 5) return wecomError(40058, `${handover.userid} has left: use resigned/transfer_customer`);
    } else if (handover.status !== 5 || handover.resignedAt === undefined || now - handover.resignedAt > RESIGNED_WITHIN_MS) {
      return wecomError(40097);
    }
    if (takeover.status !== 1) return wecomError(60111, `takeover member ${takeover.userid} is not active`);
    settleTransfers(sim);
    const takerFull = relationsOf(state, takeover.userid).length >= takeover.capacity;
    const results = customers.map((externalUserid) => {
      if (!findRelation(state, handover.userid, externalUserid)) return { external_userid: externalUserid, errcode: 84061 };
      const ofCustomer = state.transfers.filter((t) => t.external_userid === externalUserid && t.handover_userid === handover.userid);
      if (ofCustomer.some((t) => t.status === 2)) return { external_userid: externalUserid, errcode: 40129 };
      if (kind === 'service') {
        const recent = state.transfers.filter((t) => t.kind === 'service' && t.external_userid === externalUserid && t.status !== 3 && now - t.requestedAt < 90 * DAY_MS);
        if (recent.length >= SERVICE_TRANSFERS_PER_90_DAYS) return { external_userid: externalUserid, errcode: 40128 };
      }
      if (takerFull) return { external_userid: externalUserid, errcode: 40099 };
      state.transfers.push({ kind, handover_userid: handover.userid, takeover_userid: takeover.userid, external_userid: externalUserid, requestedAt: now, status: 2 });
      return { external_userid: externalUserid, errcode: 0 };
    });
    return ok({ customer: results });
  }

  function result(kind: TransferKind, body: Record<string, unknown> | undefined): ApiResult {
    const pair = members(body);
    if ('errcode' in pair) return pair;
    const offset = decodeCursor(str(body?.cursor));
    if (offset === undefined) return wecomError(40058, 'invalid cursor');
    settleTransfers(sim);
    // The latest request per customer of the pair.
    const latest = new Map<string, SimTransfer>();
    for (const t of state.transfers) {
      if (t.kind === kind && t.handover_userid === pair.handover.userid && t.takeover_userid === pair.takeover.userid) latest.set(t.external_userid, t);
    }
    const all = [...latest.values()];
    const page = all.slice(offset, offset + RESULT_PAGE);
    const next = offset + page.length;
    return ok({
      customer: page.map((t) => ({ external_userid: t.external_userid, status: t.status, ...(t.takeover_time ? { takeover_time: t.takeover_time } : {}) })),
      next_cursor: next < all.length ? encodeCursor(next) : '',
    });
  }

  return {
    '/cgi-bin/externalcontact/transfer_customer': { method: 'POST', needsToken: true, handle: ({ body }) => transfer('service', body) },
    '/cgi-bin/externalcontact/resigned/transfer_customer': { method: 'POST', needsToken: true, handle: ({ body }) => transfer('resigned', body) },
    '/cgi-bin/externalcontact/transfer_result': { method: 'POST', needsToken: true, handle: ({ body }) => result('service', body) },
    '/cgi-bin/externalcontact/resigned/transfer_result': { method: 'POST', needsToken: true, handle: ({ body }) => result('resigned', body) },
    '/cgi-bin/externalcontact/get_unassigned_list': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const pageSize = body?.page_size === undefined ? UNASSIGNED_PAGE_MAX : num(body.page_size);
        if (pageSize === undefined || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > UNASSIGNED_PAGE_MAX) return wecomError(40058, 'page_size must be 1 ~ 1000');
        const offset = decodeCursor(str(body?.cursor));
        if (offset === undefined) return wecomError(40058, 'invalid cursor');
        settleTransfers(sim);
        const now = simNow(state);
        const leavers = [...state.members.values()]
          .filter((m) => m.status === 5 && m.resignedAt !== undefined && now - m.resignedAt <= RESIGNED_WITHIN_MS)
          .sort((a, b) => a.userid.localeCompare(b.userid));
        const waiting = new Set(state.transfers.filter((t) => t.status === 2).map((t) => `${t.handover_userid}|${t.external_userid}`));
        const all = leavers.flatMap((m) =>
          relationsOf(state, m.userid)
            .filter((r) => !waiting.has(`${m.userid}|${r.external_userid}`))
            .map((r) => ({ handover_userid: m.userid, external_userid: r.external_userid, dimission_time: Math.floor(m.resignedAt! / 1000) })),
        );
        const page = all.slice(offset, offset + pageSize);
        const next = offset + page.length;
        return ok({ info: page, is_last: next >= all.length, next_cursor: next < all.length ? encodeCursor(next) : '' });
      },
    },
    '/cgi-bin/externalcontact/get_user_behavior_data': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const userids = body?.userid === undefined ? [] : strArray(body.userid);
        const parties = body?.partyid === undefined ? [] : Array.isArray(body.partyid) ? body.partyid : undefined;
        if (!userids || !parties || (userids.length === 0 && parties.length === 0)) return wecomError(40058, 'userid or partyid is required');
        if (userids.length > 100 || parties.length > 100) return wecomError(40058, 'at most 100 userid and 100 partyid');
        const start = num(body?.start_time);
        const end = num(body?.end_time);
        if (start === undefined || end === undefined || end < start) return wecomError(40058, 'start_time and end_time are required');
        const now = simNow(state);
        if (end * 1000 - start * 1000 > 30 * DAY_MS) return wecomError(40058, 'the span must not exceed 30 days');
        if (start * 1000 < beijingDayStart(now) - 180 * DAY_MS) return wecomError(40058, 'start_time must be within the last 180 days');
        for (const userid of userids) if (!state.members.has(userid)) return wecomError(60111, `userid not found: ${userid}`);
        const partyMembers = [...state.members.values()].filter((m) => m.department.some((d) => parties.includes(d))).map((m) => m.userid);
        const who = [...new Set([...userids, ...partyMembers])];
        const readyAt = (dayStart: number) => dayStart + DAY_MS + sim.options.behaviorReadyHour * 3_600_000;
        const days: Record<string, unknown>[] = [];
        for (let day = beijingDayStart(start * 1000); day <= end * 1000 && day <= now; day += DAY_MS) {
          const figures: Record<BehaviorField, number> = Object.fromEntries(BEHAVIOR_FIELDS.map((f) => [f, 0])) as Record<BehaviorField, number>;
          if (now >= readyAt(day)) {
            for (const userid of who) {
              const stats = state.behavior.get(`${userid}|${beijingDay(day)}`) ?? {};
              for (const field of BEHAVIOR_FIELDS) figures[field] += stats[field] ?? 0;
            }
          }
          days.push({ stat_time: Math.floor(day / 1000), ...figures });
        }
        return ok({ behavior_data: days });
      },
    },
  };
}
