/** "Contact Me" ways: add/get/update/del/list_contact_way, validated like WD 96348. */
import { randomBytes } from 'node:crypto';
import { ok, type ApiResult, type ApiRoute, type SimContext } from './context.js';
import { wecomError } from './errors.js';
import { num, str, strArray } from './http-utils.js';
import type { SimContactWay } from './state.js';

const MAX_MEMBERS_PER_WAY = 100;
const MAX_STATE_CHARS = 30;

type Body = Record<string, unknown> | undefined;

/** Validates the mutable fields; returns an error result or undefined. */
function validateFields(sim: SimContext, type: 1 | 2, body: Body, users: string[]): ApiResult | undefined {
  if (users.length > MAX_MEMBERS_PER_WAY) return wecomError(41041);
  if (type === 1 && users.length !== 1) return wecomError(40058, 'type 1 needs exactly one user');
  const party = body?.party;
  if (users.length === 0 && (!Array.isArray(party) || party.length === 0)) return wecomError(40058, 'user or party required');
  const unknown = users.find((userid) => !sim.state.members.has(userid));
  if (unknown) return wecomError(60111, `userid not found: ${unknown}`);
  const state = body?.state;
  if (state !== undefined && (typeof state !== 'string' || [...state].length > MAX_STATE_CHARS)) return wecomError(40058, 'state exceeds 30 characters');
  const remark = body?.remark;
  if (remark !== undefined && (typeof remark !== 'string' || [...remark].length > 30)) return wecomError(40058, 'remark exceeds 30 characters');
  return undefined;
}

function publicView(way: SimContactWay): Record<string, unknown> {
  const { createdAt: _createdAt, ...rest } = way;
  return rest;
}

export function contactWayRoutes(sim: SimContext): Record<string, ApiRoute> {
  const ways = sim.state.contactWays;
  const requireWay = (body: Body): SimContactWay | ApiResult => {
    const configId = str(body?.config_id);
    const way = configId ? ways.get(configId) : undefined;
    return way ?? wecomError(41044);
  };
  const isWay = (value: SimContactWay | ApiResult): value is SimContactWay => !('errcode' in value);

  return {
    '/cgi-bin/externalcontact/add_contact_way': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const type = body?.type;
        if (type !== 1 && type !== 2) return wecomError(41039);
        const scene = body?.scene;
        if (scene !== 1 && scene !== 2) return wecomError(41040);
        const users = strArray(body?.user) ?? [];
        const invalid = validateFields(sim, type, body, users);
        if (invalid) return invalid;
        if (ways.size >= sim.state.contactWayQuota) return wecomError(41045);
        const config_id = randomBytes(16).toString('hex');
        const isTemp = body?.is_temp === true;
        const way: SimContactWay = {
          config_id,
          type,
          scene,
          style: num(body?.style),
          remark: str(body?.remark),
          skip_verify: body?.skip_verify !== false,
          state: str(body?.state),
          user: users,
          party: Array.isArray(body?.party) ? (body.party as number[]) : [],
          is_temp: isTemp,
          expires_in: isTemp ? (num(body?.expires_in) ?? 7 * 86400) : undefined,
          chat_expires_in: isTemp ? (num(body?.chat_expires_in) ?? 86400) : undefined,
          unionid: str(body?.unionid),
          is_exclusive: body?.is_exclusive === true,
          qr_code: scene === 2 ? `${sim.baseUrl()}/sim/qr/${config_id}.png` : undefined,
          createdAt: Math.floor(Date.now() / 1000),
        };
        ways.set(config_id, way);
        return ok(way.qr_code ? { config_id, qr_code: way.qr_code } : { config_id });
      },
    },
    '/cgi-bin/externalcontact/get_contact_way': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const way = requireWay(body);
        return isWay(way) ? ok({ contact_way: publicView(way) }) : way;
      },
    },
    '/cgi-bin/externalcontact/update_contact_way': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const way = requireWay(body);
        if (!isWay(way)) return way;
        const users = strArray(body?.user) ?? way.user;
        const merged = { party: way.party, ...body };
        const invalid = validateFields(sim, way.type, merged, users);
        if (invalid) return invalid;
        way.user = users;
        if (Array.isArray(body?.party)) way.party = body.party as number[];
        if (body?.remark !== undefined) way.remark = str(body.remark);
        if (body?.state !== undefined) way.state = str(body.state);
        if (typeof body?.skip_verify === 'boolean') way.skip_verify = body.skip_verify;
        if (body?.style !== undefined) way.style = num(body.style);
        if (way.is_temp && body?.expires_in !== undefined) way.expires_in = num(body.expires_in);
        if (way.is_temp && body?.chat_expires_in !== undefined) way.chat_expires_in = num(body.chat_expires_in);
        return ok();
      },
    },
    '/cgi-bin/externalcontact/del_contact_way': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const way = requireWay(body);
        if (!isWay(way)) return way;
        ways.delete(way.config_id);
        return ok();
      },
    },
    '/cgi-bin/externalcontact/list_contact_way': {
      method: 'POST',
      needsToken: true,
      handle: ({ body }) => {
        const limit = body?.limit === undefined ? 100 : num(body.limit);
        if (limit === undefined || limit < 1 || limit > 1000) return wecomError(40058, 'invalid limit');
        const now = Math.floor(Date.now() / 1000);
        const end = num(body?.end_time) ?? now;
        const start = num(body?.start_time) ?? end - 90 * 86400;
        const cursor = str(body?.cursor) ?? '';
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0) return wecomError(40058, 'invalid cursor');
        const matching = [...ways.values()].filter((way) => way.createdAt >= start && way.createdAt <= end);
        const page = matching.slice(offset, offset + limit);
        const next = offset + page.length;
        return ok({
          contact_way: page.map((way) => ({ config_id: way.config_id })),
          next_cursor: next < matching.length ? Buffer.from(String(next)).toString('base64url') : '',
        });
      },
    },
  };
}
