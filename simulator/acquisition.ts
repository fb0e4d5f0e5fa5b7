/**
 * Customer acquisition links (获客助手, WD 97297 / 97400 / 101359 / 97299): link CRUD, the customers
 * who came through a link, the paid quota and the per-link statistic, plus the customer's side
 * (open a link, add the member) and the `customer_acquisition` events WeCom raises.
 */
import { randomBytes } from 'node:crypto';
import type { CallbackDispatcher } from './callbacks.js';
import { ok, type ApiResult, type ApiRoute, type SimContext } from './context.js';
import type { CustomerActions } from './customers.js';
import { SimActionError } from './customers.js';
import { wecomError } from './errors.js';
import { num, str, strArray } from './http-utils.js';
import type { SimAcquisitionLink, SimState } from './state.js';

const MAX_LINK_NAME_CHARS = 30;
const MAX_RANGE_USERS = 500;
const MAX_PRIORITY_USERS = 1000;
const MAX_CHANNEL_BYTES = 64;
/** WeCom raises balance_low when fewer than this many customers are left. */
export const BALANCE_LOW_BELOW = 20;
const DAY_SECONDS = 86_400;
/** add_way of a customer who came through an acquisition link (unverified; the docs list 16 for 获客链接). */
export const ADD_WAY_ACQUISITION_LINK = 16;

type Body = Record<string, unknown> | undefined;

export const quotaBalance = (state: SimState, now = Date.now() / 1000) =>
  state.quotaPackages.filter((p) => p.expire_date > now).reduce((sum, p) => sum + p.balance, 0);

function validateLinkFields(sim: SimContext, body: Body, creating: boolean): ApiResult | undefined {
  const name = body?.link_name;
  if (creating && (typeof name !== 'string' || name.length === 0)) return wecomError(40058, 'link_name required');
  if (name !== undefined && (typeof name !== 'string' || [...name].length > MAX_LINK_NAME_CHARS)) return wecomError(40058, 'link_name exceeds 30 characters');
  const range = body?.range as { user_list?: unknown; department_list?: unknown } | undefined;
  if (creating && !range) return wecomError(40058, 'range required');
  if (range) {
    const users = strArray(range.user_list ?? []);
    if (!users) return wecomError(40058, 'invalid range.user_list');
    if (users.length > MAX_RANGE_USERS) return wecomError(40058, 'range.user_list exceeds 500 members');
    const departments = range.department_list ?? [];
    if (!Array.isArray(departments)) return wecomError(40058, 'invalid range.department_list');
    if (users.length === 0 && departments.length === 0) return wecomError(40058, 'range is empty');
    const unknown = users.find((u) => !sim.state.members.has(u));
    if (unknown) return wecomError(60111, `userid not found: ${unknown}`);
  }
  const priority = body?.priority_option as { priority_type?: unknown; priority_userid_list?: unknown } | undefined;
  if (priority) {
    if (priority.priority_type !== 1 && priority.priority_type !== 2) return wecomError(40058, 'invalid priority_type');
    const list = strArray(priority.priority_userid_list ?? []);
    if (!list || list.length > MAX_PRIORITY_USERS) return wecomError(40058, 'invalid priority_userid_list');
  }
  return undefined;
}

function applyLinkFields(link: SimAcquisitionLink, body: Body): void {
  if (typeof body?.link_name === 'string') link.link_name = body.link_name;
  if (typeof body?.skip_verify === 'boolean') link.skip_verify = body.skip_verify;
  if (typeof body?.mark_source === 'boolean') link.mark_source = body.mark_source;
  const range = body?.range as { user_list?: string[]; department_list?: number[] } | undefined;
  if (range) {
    link.user_list = range.user_list ?? [];
    link.department_list = range.department_list ?? [];
    // A link whose range was mended becomes usable again.
    link.unavailable = false;
  }
  const priority = body?.priority_option as { priority_type?: 1 | 2; priority_userid_list?: string[] } | undefined;
  if (priority) {
    link.priority_type = priority.priority_type;
    link.priority_userid_list = priority.priority_userid_list ?? [];
  }
}

function linkView(link: SimAcquisitionLink) {
  return {
    link: { link_id: link.link_id, link_name: link.link_name, url: link.url, create_time: link.create_time, skip_verify: link.skip_verify, mark_source: link.mark_source },
    range: { user_list: link.user_list, department_list: link.department_list },
    ...(link.priority_type ? { priority_option: { priority_type: link.priority_type, priority_userid_list: link.priority_userid_list } } : {}),
  };
}

function pageOf<T>(items: T[], body: Body, maxLimit: number, defaultLimit: number): { page: T[]; next_cursor: string } | ApiResult {
  const limit = body?.limit === undefined ? defaultLimit : num(body.limit);
  if (limit === undefined || limit < 1 || limit > maxLimit) return wecomError(40058, 'invalid limit');
  const cursor = str(body?.cursor) ?? '';
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return wecomError(40058, 'invalid cursor');
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  return { page, next_cursor: next < items.length ? Buffer.from(String(next)).toString('base64url') : '' };
}

export function acquisitionRoutes(sim: SimContext): Record<string, ApiRoute> {
  const { state } = sim;
  const base = '/cgi-bin/externalcontact/customer_acquisition';
  const requireLink = (body: Body): SimAcquisitionLink | ApiResult => {
    const id = str(body?.link_id);
    return (id ? state.acquisitionLinks.get(id) : undefined) ?? wecomError(40058, 'invalid link_id');
  };
  const isLink = (v: SimAcquisitionLink | ApiResult): v is SimAcquisitionLink => !('errcode' in v);

  return {
    [`${base}/create_link`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const invalid = validateLinkFields(sim, body, true);
        if (invalid) return invalid;
        const link_id = `cawcde${randomBytes(8).toString('hex')}`;
        const link: SimAcquisitionLink = {
          link_id, link_name: '', url: `${sim.baseUrl()}/sim/ca/${link_id}`, create_time: Math.floor(Date.now() / 1000),
          skip_verify: true, user_list: [], department_list: [], priority_userid_list: [], mark_source: false, unavailable: false,
        };
        applyLinkFields(link, body);
        state.acquisitionLinks.set(link_id, link);
        return ok({ link: { link_id, link_name: link.link_name, url: link.url, create_time: link.create_time } });
      },
    },
    [`${base}/update_link`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const link = requireLink(body);
        if (!isLink(link)) return link;
        const invalid = validateLinkFields(sim, body, false);
        if (invalid) return invalid;
        applyLinkFields(link, body);
        return ok();
      },
    },
    [`${base}/get`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const link = requireLink(body);
        return isLink(link) ? ok(linkView(link)) : link;
      },
    },
    [`${base}/list_link`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const paged = pageOf([...state.acquisitionLinks.keys()], body, 100, 100);
        return 'errcode' in paged ? paged : ok({ link_id_list: paged.page, next_cursor: paged.next_cursor });
      },
    },
    [`${base}/delete_link`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const link = requireLink(body);
        if (!isLink(link)) return link;
        state.acquisitionLinks.delete(link.link_id);
        return ok();
      },
    },
    [`${base}/customer`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const link = requireLink(body);
        if (!isLink(link)) return link;
        const items = state.acquisitionCustomers.filter((c) => c.link_id === link.link_id);
        const paged = pageOf(items, body, 1000, 1000);
        if ('errcode' in paged) return paged;
        return ok({
          customer_list: paged.page.map((c) => ({ external_userid: c.external_userid, userid: c.userid, chat_status: c.chat_status, ...(c.state ? { state: c.state } : {}) })),
          next_cursor: paged.next_cursor,
        });
      },
    },
    [`${base}/statistic`]: {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const link = requireLink(body);
        if (!isLink(link)) return link;
        const start = num(body?.start_time);
        const end = num(body?.end_time);
        const now = Math.floor(Date.now() / 1000);
        if (start === undefined || end === undefined || end < start) return wecomError(40058, 'invalid start_time/end_time');
        if (end - start > 30 * DAY_SECONDS) return wecomError(40058, 'time span exceeds 30 days');
        if (start < now - 180 * DAY_SECONDS) return wecomError(40058, 'start_time older than 180 days');
        const inRange = (at: number) => at >= start && at <= end;
        // Distinct customers who clicked, counted per day as WeCom does (day granularity).
        const clickers = new Set(state.acquisitionClicks.filter((c) => c.link_id === link.link_id && inRange(c.at)).map((c) => `${Math.floor((c.at + 8 * 3600) / DAY_SECONDS)}:${c.visitor}`));
        const added = state.acquisitionCustomers.filter((c) => c.link_id === link.link_id && inRange(c.createtime)).length;
        return ok({ click_link_customer_cnt: clickers.size, new_customer_cnt: added });
      },
    },
    '/cgi-bin/externalcontact/customer_acquisition_quota': {
      method: 'GET',
      needsToken: true,
      handle: () => {
        const now = Date.now() / 1000;
        const live = state.quotaPackages.filter((p) => p.expire_date > now);
        return ok({
          total: live.reduce((sum, p) => sum + p.amount, 0),
          balance: quotaBalance(state),
          quota_list: live.map((p) => ({ balance: p.balance, expire_date: p.expire_date })),
        });
      },
    },
  };
}

export interface AcquisitionActions {
  open(linkId: string, input: { customerChannel?: string; visitor?: string }): SimAcquisitionLink;
  add(input: { linkId: string; customerChannel?: string; externalUserId?: string; name?: string; userid?: string }): ReturnType<CustomerActions['add']>;
  raise(changeType: string, linkId?: string): void;
}

export function createAcquisitionActions(state: SimState, dispatcher: CallbackDispatcher, customers: CustomerActions): AcquisitionActions {
  const turns = new Map<string, number>();
  const raise = (changeType: string, linkId?: string) =>
    dispatcher.enqueue({ event: 'customer_acquisition', changeType, userid: '', externalUserId: '', linkId });

  function usableLink(linkId: string): SimAcquisitionLink {
    const link = state.acquisitionLinks.get(linkId);
    if (!link) throw new SimActionError(404, 'link_deleted', '该链接已失效');
    if (link.unavailable) throw new SimActionError(409, 'link_unavailable', '该链接暂不可用');
    return link;
  }

  function checkChannel(channel: string | undefined): void {
    if (channel !== undefined && Buffer.byteLength(channel) > MAX_CHANNEL_BYTES) throw new SimActionError(400, 'bad_customer_channel', 'customer_channel exceeds 64 bytes');
  }

  /** Spends one customer from the package that expires first. */
  function consumeQuota(): void {
    const now = Date.now() / 1000;
    const pkg = state.quotaPackages.filter((p) => p.expire_date > now && p.balance > 0).sort((a, b) => a.expire_date - b.expire_date)[0];
    if (!pkg) throw new SimActionError(409, 'quota_exhausted', '获客额度已用尽');
    pkg.balance -= 1;
    const left = quotaBalance(state);
    if (left === 0) raise('balance_exhausted');
    else if (left < BALANCE_LOW_BELOW && !state.balanceLowRaised) {
      state.balanceLowRaised = true;
      raise('balance_low');
    }
  }

  return {
    open(linkId, input) {
      checkChannel(input.customerChannel);
      const link = usableLink(linkId);
      state.acquisitionClicks.push({ link_id: linkId, at: Math.floor(Date.now() / 1000), visitor: input.visitor ?? randomBytes(6).toString('hex') });
      return link;
    },

    add(input) {
      checkChannel(input.customerChannel);
      const link = usableLink(input.linkId);
      if (quotaBalance(state) <= 0) throw new SimActionError(409, 'quota_exhausted', '获客额度已用尽');
      const members = input.userid ? link.user_list.filter((u) => u === input.userid) : link.user_list;
      const usable = members.filter((u) => state.members.get(u)?.status === 1);
      if (usable.length === 0) throw new SimActionError(409, 'no_member', 'the link has no usable member');
      const turn = turns.get(link.link_id) ?? 0;
      turns.set(link.link_id, turn + 1);
      const userid = usable[turn % usable.length];
      const result = customers.add({ userid, externalUserId: input.externalUserId, name: input.name, state: input.customerChannel, addWay: ADD_WAY_ACQUISITION_LINK });
      consumeQuota();
      state.acquisitionCustomers.push({ link_id: link.link_id, userid, external_userid: result.relation.external_userid, chat_status: 0, state: input.customerChannel, createtime: result.relation.createtime });
      return result;
    },

    raise,
  };
}

/** Called after quota packages change by hand: a balance back at 20 or more may go low again. */
export function quotaChanged(state: SimState): void {
  if (quotaBalance(state) >= BALANCE_LOW_BELOW) state.balanceLowRaised = false;
}
