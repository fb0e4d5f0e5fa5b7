/**
 * WeCom server-API client. Shares one access token per app secret (single-flight in process, the
 * token store across processes), retries token errors once, backs off on -1 / 45009 / 45033 and
 * limits its own traffic by construction (per-API budget + concurrency cap). Credentials never reach
 * logs or errors.
 */
import axios, { type AxiosInstance } from 'axios';
import { TOKEN_ERRCODES, RATE_LIMIT_ERRCODES, BUSY_ERRCODE, WecomApiError, WecomTransportError } from './errors.js';
import { createRateLimiter } from './rate-limiter.js';
import { createRedactingLogger, redactText } from '../core/redact.js';
import { tokenCacheKey, type StoredToken, type TokenStore } from './token-store.js';
import type {
  AcquisitionLink, AcquisitionLinkDetail, AcquisitionLinkRequest, AcquisitionQuota, AcquisitionStatistic,
  AddContactWayRequest, AddContactWayResponse, BatchGetByUserRequest, BatchGetByUserResponse, ContactWay,
  ExternalContactWithFollow, ListContactWayRequest, ListContactWayResponse, SendWelcomeMsgRequest, TokenResponse,
  UpdateContactWayRequest, WecomDepartmentRef, WecomDepartmentUser, WecomEnvelope, WecomUser,
  TransferCustomerRequest, TransferCustomerResult, TransferKind, TransferResultItem, UnassignedCustomer, UserBehaviorDay,
} from './types.js';
import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';

const WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';

export interface WecomRetryOptions {
  /** Extra attempts after errcode -1 (system busy). */
  busyRetries?: number;
  /** Extra attempts after 45009 / 45033. */
  rateLimitRetries?: number;
  /** Extra attempts after network failures / non-200 answers (idempotent APIs only). */
  transportRetries?: number;
  baseDelayMs?: number;
  rateLimitDelayMs?: number;
  maxDelayMs?: number;
}

export interface WecomClientOptions {
  baseUrl?: string;
  corpId: string;
  corpSecret: string;
  tokenStore: TokenStore;
  logger?: Logger;
  limits?: { perApiPerMinute?: number; concurrency?: number; windowMs?: number };
  retry?: WecomRetryOptions;
  timeoutMs?: number;
  metrics?: PluginMetrics;
}

interface ApiSpec {
  path: string;
  method: 'GET' | 'POST';
  /** Safe to resend after a transport failure. */
  idempotent: boolean;
  /** errcodes that mean success for this API (e.g. 84061 for list). */
  acceptErrcodes?: readonly number[];
}

const API = {
  gettoken: { path: '/cgi-bin/gettoken', method: 'GET', idempotent: true },
  getUser: { path: '/cgi-bin/user/get', method: 'GET', idempotent: true },
  departments: { path: '/cgi-bin/department/simplelist', method: 'GET', idempotent: true },
  departmentUsers: { path: '/cgi-bin/user/list', method: 'GET', idempotent: true },
  list: { path: '/cgi-bin/externalcontact/list', method: 'GET', idempotent: true, acceptErrcodes: [84061] },
  batchGetByUser: { path: '/cgi-bin/externalcontact/batch/get_by_user', method: 'POST', idempotent: true },
  followUsers: { path: '/cgi-bin/externalcontact/get_follow_user_list', method: 'GET', idempotent: true },
  addContactWay: { path: '/cgi-bin/externalcontact/add_contact_way', method: 'POST', idempotent: false },
  getContactWay: { path: '/cgi-bin/externalcontact/get_contact_way', method: 'POST', idempotent: true },
  updateContactWay: { path: '/cgi-bin/externalcontact/update_contact_way', method: 'POST', idempotent: true },
  delContactWay: { path: '/cgi-bin/externalcontact/del_contact_way', method: 'POST', idempotent: true },
  listContactWay: { path: '/cgi-bin/externalcontact/list_contact_way', method: 'POST', idempotent: true },
  sendWelcomeMsg: { path: '/cgi-bin/externalcontact/send_welcome_msg', method: 'POST', idempotent: false },
  transferService: { path: '/cgi-bin/externalcontact/transfer_customer', method: 'POST', idempotent: false },
  transferResigned: { path: '/cgi-bin/externalcontact/resigned/transfer_customer', method: 'POST', idempotent: false },
  transferResultService: { path: '/cgi-bin/externalcontact/transfer_result', method: 'POST', idempotent: true },
  transferResultResigned: { path: '/cgi-bin/externalcontact/resigned/transfer_result', method: 'POST', idempotent: true },
  unassignedList: { path: '/cgi-bin/externalcontact/get_unassigned_list', method: 'POST', idempotent: true },
  userBehavior: { path: '/cgi-bin/externalcontact/get_user_behavior_data', method: 'POST', idempotent: true },
  createAcquisitionLink: { path: '/cgi-bin/externalcontact/customer_acquisition/create_link', method: 'POST', idempotent: false },
  updateAcquisitionLink: { path: '/cgi-bin/externalcontact/customer_acquisition/update_link', method: 'POST', idempotent: true },
  getAcquisitionLink: { path: '/cgi-bin/externalcontact/customer_acquisition/get', method: 'POST', idempotent: true },
  deleteAcquisitionLink: { path: '/cgi-bin/externalcontact/customer_acquisition/delete_link', method: 'POST', idempotent: true },
  acquisitionQuota: { path: '/cgi-bin/externalcontact/customer_acquisition_quota', method: 'GET', idempotent: true },
  acquisitionStatistic: { path: '/cgi-bin/externalcontact/customer_acquisition/statistic', method: 'POST', idempotent: true },
} as const satisfies Record<string, ApiSpec>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The WeCom server APIs the plugin calls; one instance per plugin, shared by every feature. */
export interface WecomClient {
  getUser(userid: string): Promise<WecomUser>;
  /** The departments the app may see (its visible range), recursively; under `id` when given. */
  listDepartments(id?: number): Promise<WecomDepartmentRef[]>;
  /** A department's direct members with name and status (user/list; sub-departments are asked one by one). */
  listDepartmentUsers(departmentId: number): Promise<WecomDepartmentUser[]>;
  /** external_userids of a member's customers; 84061 (no customers) gives []. */
  listExternalContacts(userid: string): Promise<string[]>;
  batchGetByUser(request: BatchGetByUserRequest): Promise<BatchGetByUserResponse>;
  /** Every customer of the given members (≤100 ids), page after page. */
  iterateByUser(userids: string[], limit?: number): AsyncGenerator<ExternalContactWithFollow>;
  getFollowUserList(): Promise<string[]>;
  addContactWay(request: AddContactWayRequest): Promise<AddContactWayResponse>;
  getContactWay(configId: string): Promise<ContactWay>;
  updateContactWay(request: UpdateContactWayRequest): Promise<void>;
  delContactWay(configId: string): Promise<void>;
  listContactWays(request?: ListContactWayRequest): Promise<ListContactWayResponse>;
  /** Once per welcome_code, within 20 s of the add event. 41051/41050 are permanent; 41096 transient. */
  sendWelcomeMsg(request: SendWelcomeMsgRequest): Promise<void>;
  /** Hands ≤100 customers over (继承); one errcode per customer. */
  transferCustomers(kind: TransferKind, request: TransferCustomerRequest): Promise<TransferCustomerResult[]>;
  /** Every customer of the pair's handovers and its status, page after page. */
  transferResults(kind: TransferKind, handoverUserid: string, takeoverUserid: string): Promise<TransferResultItem[]>;
  /** Customers of members who left, not handed over yet. */
  unassignedCustomers(): AsyncGenerator<UnassignedCustomer>;
  /** One member's figures per day (one call per member: WeCom sums several). Seconds, span ≤30 days. */
  userBehavior(userid: string, startTime: number, endTime: number): Promise<UserBehaviorDay[]>;
  createAcquisitionLink(request: AcquisitionLinkRequest): Promise<AcquisitionLink>;
  updateAcquisitionLink(linkId: string, request: Partial<AcquisitionLinkRequest>): Promise<void>;
  getAcquisitionLink(linkId: string): Promise<AcquisitionLinkDetail>;
  deleteAcquisitionLink(linkId: string): Promise<void>;
  acquisitionQuota(): Promise<AcquisitionQuota>;
  /** One link's figures over [start, end] (epoch s; span ≤30 days, within the last 180). */
  acquisitionStatistic(linkId: string, startTime: number, endTime: number): Promise<AcquisitionStatistic>;
}

export function createWecomClient(options: WecomClientOptions): WecomClient {
  const calls = (options.metrics ?? detachedMetrics()).wecomApiCalls;
  const retry = {
    busyRetries: options.retry?.busyRetries ?? 3,
    rateLimitRetries: options.retry?.rateLimitRetries ?? 3,
    transportRetries: options.retry?.transportRetries ?? 2,
    baseDelayMs: options.retry?.baseDelayMs ?? 200,
    rateLimitDelayMs: options.retry?.rateLimitDelayMs ?? 2000,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
  };
  const limiter = createRateLimiter({
    perApi: options.limits?.perApiPerMinute ?? 9000,
    windowMs: options.limits?.windowMs ?? 60_000,
    concurrency: options.limits?.concurrency ?? 10,
  });
  const seenTokens: string[] = [];
  const secrets = () => [options.corpSecret, ...seenTokens];
  const log = createRedactingLogger(options.logger, secrets);
  const http: AxiosInstance = axios.create({
    baseURL: options.baseUrl ?? WECOM_BASE_URL,
    timeout: options.timeoutMs ?? 10_000,
    validateStatus: () => true,
    // Only WeCom JSON comes back; never follow redirects with credentials in the URL.
    maxRedirects: 0,
  });
  const cacheKey = tokenCacheKey(options.corpId, options.corpSecret);

  let current: StoredToken | undefined;
  let rejected: string | undefined;
  let inflight: Promise<string> | undefined;

  const backoff = (attempt: number, base: number) => Math.min(retry.maxDelayMs, base * 2 ** attempt) * (0.75 + Math.random() * 0.5);

  /** One HTTP exchange through the limiter; transport problems become WecomTransportError. */
  async function send(api: ApiSpec, query: Record<string, string>, body?: unknown): Promise<WecomEnvelope & Record<string, unknown>> {
    return limiter.schedule(api.path, async () => {
      let response;
      try {
        response = await http.request({ url: api.path, method: api.method, params: query, data: body });
      } catch (error) {
        const code = axios.isAxiosError(error) ? (error.code ?? 'network error') : 'request failed';
        calls.inc({ api: api.path, errcode: 'transport' });
        throw new WecomTransportError(api.path, redactText(code, secrets()));
      }
      const data: unknown = response.data;
      if (response.status !== 200 || !data || typeof data !== 'object' || typeof (data as WecomEnvelope).errcode !== 'number') {
        calls.inc({ api: api.path, errcode: 'transport' });
      } else {
        calls.inc({ api: api.path, errcode: String((data as WecomEnvelope).errcode) });
      }
      if (response.status !== 200) throw new WecomTransportError(api.path, 'unexpected status', response.status);
      if (!data || typeof data !== 'object' || typeof (data as WecomEnvelope).errcode !== 'number') {
        throw new WecomTransportError(api.path, 'answer is not WeCom JSON', response.status);
      }
      return data as WecomEnvelope & Record<string, unknown>;
    });
  }

  async function fetchToken(): Promise<StoredToken> {
    for (let attempt = 0; ; attempt += 1) {
      const data = await send(API.gettoken, { corpid: options.corpId, corpsecret: options.corpSecret });
      if (data.errcode === 0) {
        const { access_token, expires_in } = data as unknown as TokenResponse;
        seenTokens.push(access_token);
        if (seenTokens.length > 20) seenTokens.shift();
        const ttlMs = expires_in * 1000;
        log.info('wecom access token refreshed', { expiresIn: expires_in });
        return { accessToken: access_token, usableUntil: new Date(Date.now() + ttlMs - Math.min(300_000, ttlMs / 10)) };
      }
      const error = new WecomApiError(data.errcode, redactText(data.errmsg, secrets()), API.gettoken.path);
      if (error.transient && attempt < retry.busyRetries) {
        await sleep(backoff(attempt, error.kind === 'rate_limited' ? retry.rateLimitDelayMs : retry.baseDelayMs));
        continue;
      }
      log.error('wecom gettoken failed', { errcode: error.errcode, errmsg: error.errmsg });
      throw error;
    }
  }

  function accessToken(): Promise<string> {
    if (current && current.accessToken !== rejected && current.usableUntil.getTime() > Date.now()) return Promise.resolve(current.accessToken);
    inflight ??= options.tokenStore
      .obtain(cacheKey, { rejected, fetch: fetchToken })
      .then((token) => {
        current = token;
        // gettoken answers the same token while it is valid; what it hands out is authoritative.
        rejected = undefined;
        if (!seenTokens.includes(token.accessToken)) seenTokens.push(token.accessToken);
        return token.accessToken;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function dropToken(token: string): void {
    rejected = token;
    if (current?.accessToken === token) current = undefined;
  }

  async function call<T>(api: ApiSpec, query: Record<string, string> = {}, body?: unknown): Promise<T & WecomEnvelope> {
    let tokenRetried = false;
    let busy = 0;
    let limited = 0;
    let transport = 0;
    for (;;) {
      const token = await accessToken();
      let data: WecomEnvelope & Record<string, unknown>;
      try {
        data = await send(api, { ...query, access_token: token }, body);
      } catch (error) {
        if (error instanceof WecomTransportError && api.idempotent && transport < retry.transportRetries) {
          log.warn('wecom transport failure, retrying', { api: api.path, reason: error.reason, status: error.status });
          await sleep(backoff(transport++, retry.baseDelayMs));
          continue;
        }
        throw error;
      }
      if (data.errcode === 0 || api.acceptErrcodes?.includes(data.errcode)) return data as T & WecomEnvelope;
      const error = new WecomApiError(data.errcode, redactText(data.errmsg, secrets()), api.path);
      if (TOKEN_ERRCODES.has(data.errcode) && !tokenRetried) {
        tokenRetried = true;
        dropToken(token);
        log.info('wecom token rejected, refreshing', { api: api.path, errcode: data.errcode });
        continue;
      }
      if (data.errcode === BUSY_ERRCODE && busy < retry.busyRetries) {
        await sleep(backoff(busy++, retry.baseDelayMs));
        continue;
      }
      if (RATE_LIMIT_ERRCODES.has(data.errcode) && limited < retry.rateLimitRetries) {
        log.warn('wecom frequency limit, backing off', { api: api.path, errcode: data.errcode });
        await sleep(backoff(limited++, retry.rateLimitDelayMs));
        continue;
      }
      log.warn('wecom api error', { api: api.path, errcode: error.errcode, errmsg: error.errmsg });
      throw error;
    }
  }

  async function batchGetByUser(request: BatchGetByUserRequest): Promise<BatchGetByUserResponse> {
    const data = await call<BatchGetByUserResponse>(API.batchGetByUser, {}, { cursor: '', limit: 100, ...request });
    return { external_contact_list: data.external_contact_list ?? [], next_cursor: data.next_cursor ?? '' };
  }

  return {
    async getUser(userid: string): Promise<WecomUser> {
      const { errcode: _e, errmsg: _m, ...user } = await call<WecomUser>(API.getUser, { userid });
      return user;
    },

    async listDepartments(id?: number): Promise<WecomDepartmentRef[]> {
      return (await call<{ department_id?: WecomDepartmentRef[] }>(API.departments, id === undefined ? {} : { id: String(id) })).department_id ?? [];
    },

    async listDepartmentUsers(departmentId: number): Promise<WecomDepartmentUser[]> {
      const users = (await call<{ userlist?: WecomDepartmentUser[] }>(API.departmentUsers, { department_id: String(departmentId) })).userlist ?? [];
      return users.map(({ userid, name, department, status, main_department, position }) => ({ userid, name, department, status, main_department, position }));
    },

    /** external_userids of a member's customers; 84061 (no customers) gives []. */
    async listExternalContacts(userid: string): Promise<string[]> {
      const data = await call<{ external_userid?: string[] }>(API.list, { userid });
      return data.errcode === 84061 ? [] : (data.external_userid ?? []);
    },

    batchGetByUser,

    /** Every customer of the given members (≤100 ids), page after page. */
    async *iterateByUser(userids: string[], limit = 100): AsyncGenerator<ExternalContactWithFollow> {
      let cursor = '';
      do {
        const page = await batchGetByUser({ userid_list: userids, cursor, limit });
        yield* page.external_contact_list;
        cursor = page.next_cursor;
      } while (cursor);
    },

    async getFollowUserList(): Promise<string[]> {
      return (await call<{ follow_user?: string[] }>(API.followUsers)).follow_user ?? [];
    },

    async addContactWay(request: AddContactWayRequest): Promise<AddContactWayResponse> {
      const data = await call<AddContactWayResponse>(API.addContactWay, {}, request);
      return data.qr_code ? { config_id: data.config_id, qr_code: data.qr_code } : { config_id: data.config_id };
    },

    async getContactWay(configId: string): Promise<ContactWay> {
      return (await call<{ contact_way: ContactWay }>(API.getContactWay, {}, { config_id: configId })).contact_way;
    },

    async updateContactWay(request: UpdateContactWayRequest): Promise<void> {
      await call(API.updateContactWay, {}, request);
    },

    async delContactWay(configId: string): Promise<void> {
      await call(API.delContactWay, {}, { config_id: configId });
    },

    async listContactWays(request: ListContactWayRequest = {}): Promise<ListContactWayResponse> {
      const data = await call<ListContactWayResponse>(API.listContactWay, {}, request);
      return { contact_way: data.contact_way ?? [], next_cursor: data.next_cursor ?? '' };
    },

    /** Once per welcome_code, within 20 s of the add event. 41051/41050 are permanent; 41096 transient. */
    async sendWelcomeMsg(request: SendWelcomeMsgRequest): Promise<void> {
      await call(API.sendWelcomeMsg, {}, request);
    },

    async transferCustomers(kind, request) {
      const api = kind === 'service' ? API.transferService : API.transferResigned;
      const { transfer_success_msg, ...rest } = request;
      const body = kind === 'service' && transfer_success_msg ? { ...rest, transfer_success_msg } : rest;
      return (await call<{ customer?: TransferCustomerResult[] }>(api, {}, body)).customer ?? [];
    },

    async transferResults(kind, handoverUserid, takeoverUserid) {
      const api = kind === 'service' ? API.transferResultService : API.transferResultResigned;
      const out: TransferResultItem[] = [];
      let cursor = '';
      do {
        const data = await call<{ customer?: TransferResultItem[]; next_cursor?: string }>(api, {}, { handover_userid: handoverUserid, takeover_userid: takeoverUserid, cursor });
        out.push(...(data.customer ?? []));
        cursor = data.next_cursor ?? '';
      } while (cursor);
      return out;
    },

    async *unassignedCustomers() {
      let cursor = '';
      do {
        const data = await call<{ info?: UnassignedCustomer[]; next_cursor?: string }>(API.unassignedList, {}, { cursor, page_size: 1000 });
        yield* data.info ?? [];
        cursor = data.next_cursor ?? '';
      } while (cursor);
    },

    async userBehavior(userid, startTime, endTime) {
      const data = await call<{ behavior_data?: UserBehaviorDay[] }>(API.userBehavior, {}, { userid: [userid], start_time: startTime, end_time: endTime });
      return data.behavior_data ?? [];
    },

    async createAcquisitionLink(request) {
      return (await call<{ link: AcquisitionLink }>(API.createAcquisitionLink, {}, request)).link;
    },
    async updateAcquisitionLink(linkId, request) {
      await call(API.updateAcquisitionLink, {}, { link_id: linkId, ...request });
    },
    async getAcquisitionLink(linkId) {
      const data = await call<AcquisitionLinkDetail>(API.getAcquisitionLink, {}, { link_id: linkId });
      return { link: data.link, range: data.range };
    },
    async deleteAcquisitionLink(linkId) {
      await call(API.deleteAcquisitionLink, {}, { link_id: linkId });
    },
    async acquisitionQuota() {
      const data = await call<AcquisitionQuota>(API.acquisitionQuota);
      return { total: data.total ?? 0, balance: data.balance ?? 0, quota_list: data.quota_list ?? [] };
    },
    async acquisitionStatistic(linkId, startTime, endTime) {
      const data = await call<AcquisitionStatistic>(API.acquisitionStatistic, {}, { link_id: linkId, start_time: startTime, end_time: endTime });
      return { click_link_customer_cnt: data.click_link_customer_cnt ?? 0, new_customer_cnt: data.new_customer_cnt ?? 0 };
    },
  };
}

