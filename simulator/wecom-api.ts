/** The /cgi-bin API surface: shared checks (faults, token, frequency) and the member/customer APIs. */
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { acquisitionRoutes } from './acquisition.js';
import { contactWayRoutes } from './contact-ways.js';
import { ok, type ApiRequest, type ApiResult, type ApiRoute, type SimContext } from './context.js';
import { wecomError } from './errors.js';
import { queryString, readJsonBody, sleep, strArray, str, num } from './http-utils.js';
import { WindowCounter } from './rate-window.js';
import { counterFor, memberVisible, relationsOf } from './state.js';
import { directoryRoutes } from './directory.js';
import { transferRoutes } from './transfers.js';

/** One token per secret: the app's, or the contact-sync (通讯录同步) secret's. */
function issueToken(sim: SimContext, contactSync = false): ApiResult {
  const now = Date.now();
  for (const [token, expiresAt] of sim.state.tokens) {
    // Within its validity gettoken answers the same token (WD 91039).
    if (expiresAt > now && sim.state.contactSyncTokens.has(token) === contactSync) return ok({ access_token: token, expires_in: Math.ceil((expiresAt - now) / 1000) });
  }
  const token = randomBytes(48).toString('base64url');
  sim.state.tokens.set(token, now + sim.options.tokenTtlSeconds * 1000);
  if (contactSync) sim.state.contactSyncTokens.add(token);
  return ok({ access_token: token, expires_in: sim.options.tokenTtlSeconds });
}

function memberRoutes(sim: SimContext): Record<string, ApiRoute> {
  const { state } = sim;
  return {
    '/cgi-bin/gettoken': {
      method: 'GET',
      needsToken: false,
      handle: ({ query }) => {
        if (!query.corpid) return wecomError(41002);
        if (!query.corpsecret) return wecomError(41004);
        if (query.corpid !== sim.options.corpId) return wecomError(40013);
        if (query.corpsecret === sim.options.contactSyncSecret) return issueToken(sim, true);
        if (query.corpsecret !== sim.options.corpSecret) return wecomError(40001);
        return issueToken(sim);
      },
    },
    '/cgi-bin/user/get': {
      method: 'GET',
      needsToken: true,
      handle: ({ query }) => {
        const member = query.userid ? state.members.get(query.userid) : undefined;
        if (!member) return wecomError(60111, `userid not found: ${query.userid ?? ''}`);
        if (!memberVisible(state, member)) return wecomError(60011, `no privilege to access user ${member.userid}`);
        const { userid, name, status, main_department, department } = member;
        return ok({ userid, name, status, main_department, department });
      },
    },
    '/cgi-bin/externalcontact/list': {
      method: 'GET',
      needsToken: true,
      handle: ({ query }) => {
        if (!query.userid || !state.members.has(query.userid)) return wecomError(60111, `userid not found: ${query.userid ?? ''}`);
        const ids = relationsOf(state, query.userid).map((r) => r.external_userid);
        return ids.length === 0 ? wecomError(84061) : ok({ external_userid: ids });
      },
    },
    '/cgi-bin/externalcontact/get_follow_user_list': {
      method: 'GET',
      needsToken: true,
      handle: () => ok({ follow_user: [...state.members.values()].filter((m) => m.externalContactEnabled && m.status === 1).map((m) => m.userid) }),
    },
    '/cgi-bin/externalcontact/batch/get_by_user': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const userids = strArray(body?.userid_list);
        if (!userids || userids.length === 0 || userids.length > 100) return wecomError(40058, 'invalid userid_list size');
        const limit = body?.limit === undefined ? 50 : num(body.limit);
        if (limit === undefined || limit < 1 || limit > 100) return wecomError(40058, 'invalid limit');
        const cursor = str(body?.cursor) ?? '';
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0) return wecomError(40058, 'invalid cursor');
        const relations = userids.flatMap((userid) => relationsOf(state, userid));
        const page = relations.slice(offset, offset + limit);
        const nextOffset = offset + page.length;
        return ok({
          external_contact_list: page.map((relation) => {
            const customer = state.customers.get(relation.external_userid);
            return {
              external_contact: { external_userid: relation.external_userid, name: customer?.name ?? '', type: customer?.type ?? 1, gender: customer?.gender ?? 0, ...(customer?.unionid ? { unionid: customer.unionid } : {}) },
              follow_info: { userid: relation.userid, remark: relation.remark, createtime: relation.createtime, tag_id: relation.tag_id, add_way: relation.add_way, oper_userid: relation.oper_userid, ...(relation.state ? { state: relation.state } : {}) },
            };
          }),
          next_cursor: nextOffset < relations.length ? Buffer.from(String(nextOffset)).toString('base64url') : '',
        });
      },
    },
    '/cgi-bin/externalcontact/send_welcome_msg': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const code = str(body?.welcome_code);
        const welcome = code ? state.welcomeCodes.get(code) : undefined;
        if (!welcome || welcome.expiresAt < Date.now()) return wecomError(41050);
        if (welcome.used) return wecomError(41051);
        if (welcome.otherAppSendingUntil && welcome.otherAppSendingUntil > Date.now()) return wecomError(41096);
        const text = body?.text as { content?: unknown } | undefined;
        const attachments = body?.attachments;
        if (!text && !attachments) return wecomError(40058, 'text or attachments required');
        if (text && (typeof text.content !== 'string' || Buffer.byteLength(text.content) > 4000)) return wecomError(40058, 'text.content exceeds 4000 bytes');
        if (attachments !== undefined && (!Array.isArray(attachments) || attachments.length > 9)) return wecomError(40058, 'at most 9 attachments');
        welcome.used = true;
        welcome.sent = { text: text?.content as string | undefined, attachments: attachments as unknown[] | undefined, by: 'this_app' };
        return ok();
      },
    },
  };
}

export function createWecomApi(sim: SimContext) {
  const routes: Record<string, ApiRoute> = { ...memberRoutes(sim), ...directoryRoutes(sim), ...contactWayRoutes(sim), ...transferRoutes(sim), ...acquisitionRoutes(sim) };
  const windows = sim.state.windows;

  function windowFor(path: string): WindowCounter {
    let window = windows.get(path);
    if (!window) {
      window = new WindowCounter(sim.options.rateLimitWindowMs, sim.options.rateLimitMode);
      windows.set(path, window);
    }
    return window;
  }

  function checkToken(query: ApiRequest['query']): ApiResult | undefined {
    const token = query.access_token;
    if (!token) return wecomError(41001);
    const expiresAt = sim.state.tokens.get(token);
    if (expiresAt === undefined) return wecomError(40014);
    if (expiresAt <= Date.now()) return wecomError(42001);
    return undefined;
  }

  async function respond(path: string, ctx: Context, route: ApiRoute): Promise<ApiResult | 'http_5xx'> {
    const counter = counterFor(sim.state, path);
    counter.calls += 1;
    const fault = sim.state.faults.get(path);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (fault?.http5xxRemaining) {
      fault.http5xxRemaining -= 1;
      return 'http_5xx';
    }
    const query: ApiRequest['query'] = {};
    for (const name of Object.keys(ctx.query)) query[name] = queryString(ctx, name);
    const body = route.method === 'POST' ? await readJsonBody(ctx) : undefined;
    if (route.method === 'POST' && !body) return wecomError(47001, 'data format error');
    if (route.needsToken) {
      const tokenError = checkToken(query);
      if (tokenError) return tokenError;
    }
    const inWindow = windowFor(path).add();
    counter.maxPerWindow = Math.max(counter.maxPerWindow, inWindow);
    if (inWindow > sim.options.perApiLimitPerMinute) return wecomError(45009);
    if (fault?.errcodeRemaining && fault.errcode !== undefined) {
      fault.errcodeRemaining -= 1;
      return wecomError(fault.errcode);
    }
    return route.handle({ query, body });
  }

  return {
    routes,
    /** Koa middleware answering every known /cgi-bin path except the robot webhook. */
    async middleware(ctx: Context, next: () => Promise<unknown>): Promise<void> {
      const route = routes[ctx.path];
      if (!route) return void (await next());
      if (ctx.method !== route.method) {
        ctx.status = 405;
        return;
      }
      const counter = counterFor(sim.state, ctx.path);
      counter.inFlight += 1;
      counter.maxConcurrent = Math.max(counter.maxConcurrent, counter.inFlight);
      const result = await respond(ctx.path, ctx, route).finally(() => {
        counter.inFlight -= 1;
      });
      if (result === 'http_5xx') {
        counter.errors.http_5xx = (counter.errors.http_5xx ?? 0) + 1;
        ctx.status = 502;
        ctx.type = 'text/html';
        ctx.body = '<html><body><h1>502 Bad Gateway</h1></body></html>';
        return;
      }
      if (result.errcode === 0) counter.ok += 1;
      else counter.errors[String(result.errcode)] = (counter.errors[String(result.errcode)] ?? 0) + 1;
      ctx.type = 'application/json';
      ctx.body = result;
    },
  };
}
