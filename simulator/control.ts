/** JSON control API under /sim/… used by tests, the demo and the HTML pages. */
import Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { encrypt, getSignature } from '@wecom/crypto';
import type { Enqueued } from './callbacks.js';
import type { SimContext } from './context.js';
import { SimActionError } from './customers.js';
import { num, readJsonBody, str } from './http-utils.js';
import { robotId } from './robots.js';
import { BEHAVIOR_FIELDS, refuseTransfer, settleTransfers, simNow, type BehaviorDay } from './transfers.js';
import { relationsOf, resetState, upsertMember, type MemberStatus, type RobotKind } from './state.js';

type WaitMode = 'none' | 'first_attempt' | 'delivered';

async function waitFor(callback: Enqueued, mode: unknown): Promise<void> {
  const wait: WaitMode = mode === 'none' || mode === 'delivered' ? mode : 'first_attempt';
  if (wait === 'first_attempt') await callback.firstAttempt;
  if (wait === 'delivered') await callback.delivered;
}

function callbackView(callback: Enqueued) {
  const { id, status, attempts } = callback.record;
  return { id, status, attempts: attempts.length };
}

export function counterSnapshot(sim: SimContext) {
  return Object.fromEntries([...sim.state.counters].map(([path, counter]) => [path, { ...counter, errors: { ...counter.errors } }]));
}

export function createControlRouter(sim: SimContext, onReset: () => void) {
  const router = new Router({ prefix: '/sim' });
  const { state, actions, dispatcher } = sim;

  const json = async (ctx: Context) => (await readJsonBody(ctx)) ?? {};

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof SimActionError)) throw error;
      ctx.status = error.status;
      ctx.body = { error: error.code, message: error.message };
    }
  });

  router.get('/state', (ctx) => {
    ctx.body = {
      corpId: state.corpId,
      agentId: state.agentId,
      members: [...state.members.values()].map((m) => ({ ...m, customerCount: relationsOf(state, m.userid).length })),
      contactWays: [...state.contactWays.values()],
      callbackUrl: sim.callbackTarget.current?.url ?? null,
      pendingCallbacks: dispatcher.pending,
    };
  });

  router.get('/members', (ctx) => {
    ctx.body = { members: [...state.members.values()].map((m) => ({ ...m, customerCount: relationsOf(state, m.userid).length })) };
  });
  router.post('/members', async (ctx) => {
    const body = await json(ctx);
    const inputs = Array.isArray(body.members) ? (body.members as Record<string, unknown>[]) : [body];
    const members = inputs.map((input) => {
      const userid = str(input.userid);
      if (!userid) throw new SimActionError(400, 'missing_userid', 'userid is required');
      const status = num(input.status);
      if (status !== undefined && ![1, 2, 4, 5].includes(status)) throw new SimActionError(400, 'bad_status', 'status must be 1, 2, 4 or 5');
      const department = Array.isArray(input.department) && input.department.every((d) => Number.isInteger(d)) ? (input.department as number[]) : undefined;
      return upsertMember(state, {
        userid,
        name: str(input.name),
        status: status as MemberStatus | undefined,
        department,
        main_department: num(input.main_department) ?? department?.[0],
        capacity: num(input.capacity),
        resignedAt: typeof input.resignedAt === 'string' ? Date.parse(input.resignedAt) : undefined,
        externalContactEnabled: typeof input.externalContactEnabled === 'boolean' ? input.externalContactEnabled : undefined,
      });
    });
    ctx.body = { members };
  });
  router.delete('/members/:userid', (ctx) => {
    state.members.delete(ctx.params.userid);
    state.relations = state.relations.filter((r) => r.userid !== ctx.params.userid);
    ctx.body = { ok: true };
  });

  router.get('/departments', (ctx) => {
    ctx.body = { departments: [...state.departments.values()], visibleRange: state.visibleRange };
  });
  router.post('/departments', async (ctx) => {
    const body = await json(ctx);
    const inputs = Array.isArray(body.departments) ? (body.departments as Record<string, unknown>[]) : [body];
    for (const input of inputs) {
      const id = num(input.id);
      const parentid = num(input.parentid) ?? 1;
      if (!id || id < 2 || !Number.isInteger(id)) throw new SimActionError(400, 'bad_id', 'department id must be an integer > 1');
      if (!state.departments.has(parentid)) throw new SimActionError(400, 'unknown_parent', `no department ${parentid}`);
      state.departments.set(id, { id, name: str(input.name) ?? `部门${id}`, parentid, order: num(input.order) ?? 0 });
    }
    ctx.body = { departments: [...state.departments.values()] };
  });
  /** The app's visible range as the admin console sets it; DELETE = the whole enterprise. */
  router.put('/visible-range', async (ctx) => {
    const body = await json(ctx);
    const departments = Array.isArray(body.departments) ? (body.departments as unknown[]).filter((d): d is number => Number.isInteger(d)) : [];
    const users = Array.isArray(body.users) ? (body.users as unknown[]).filter((u): u is string => typeof u === 'string') : [];
    state.visibleRange = { departments, users };
    ctx.body = { visibleRange: state.visibleRange };
  });
  router.delete('/visible-range', (ctx) => {
    state.visibleRange = null;
    ctx.body = { visibleRange: null };
  });

  router.get('/customers', (ctx) => {
    const userid = typeof ctx.query.userid === 'string' ? ctx.query.userid : undefined;
    ctx.body = { relations: userid ? relationsOf(state, userid) : state.relations };
  });
  router.post('/customers/add', async (ctx) => {
    const body = await json(ctx);
    const result = actions.add({ userid: str(body.userid), configId: str(body.configId), externalUserId: str(body.externalUserId), name: str(body.name), state: str(body.state), half: body.half === true });
    await waitFor(result.callback, body.wait);
    ctx.body = { userid: result.relation.userid, external_userid: result.relation.external_userid, state: result.relation.state ?? null, welcome_code: result.welcomeCode, callback: callbackView(result.callback) };
  });
  router.post('/customers/delete', async (ctx) => {
    const body = await json(ctx);
    const userid = str(body.userid);
    const externalUserId = str(body.externalUserId);
    if (!userid || !externalUserId) throw new SimActionError(400, 'missing_fields', 'userid and externalUserId are required');
    const result = actions.remove({ userid, externalUserId, by: body.by === 'customer' ? 'customer' : 'member', source: str(body.source) });
    await waitFor(result.callback, body.wait);
    ctx.body = { callback: callbackView(result.callback) };
  });
  router.post('/customers/edit', async (ctx) => {
    const body = await json(ctx);
    const userid = str(body.userid);
    const externalUserId = str(body.externalUserId);
    if (!userid || !externalUserId) throw new SimActionError(400, 'missing_fields', 'userid and externalUserId are required');
    const result = actions.edit({ userid, externalUserId, remark: str(body.remark) });
    await waitFor(result.callback, body.wait);
    ctx.body = { callback: callbackView(result.callback) };
  });
  router.post('/customers/set-count', async (ctx) => {
    const body = await json(ctx);
    const userid = str(body.userid);
    const count = num(body.count);
    if (!userid || count === undefined || count < 0 || !Number.isInteger(count)) throw new SimActionError(400, 'bad_request', 'userid and a non-negative integer count are required');
    ctx.body = actions.setCount(userid, count);
  });

  router.get('/callbacks', (ctx) => {
    ctx.body = { pending: dispatcher.pending, callbacks: dispatcher.records };
  });
  router.post('/callbacks/wait', async (ctx) => {
    await dispatcher.waitForIdle();
    ctx.body = { pending: dispatcher.pending, callbacks: dispatcher.records };
  });
  router.put('/callback-config', async (ctx) => {
    const body = await json(ctx);
    const url = str(body.url);
    const token = str(body.token);
    const encodingAesKey = str(body.encodingAesKey);
    if (!url || !token || !encodingAesKey || encodingAesKey.length !== 43) throw new SimActionError(400, 'bad_request', 'url, token and a 43-char encodingAesKey are required');
    sim.callbackTarget.current = { url, token, encodingAesKey };
    ctx.body = { ok: true };
  });
  router.delete('/callback-config', (ctx) => {
    sim.callbackTarget.current = undefined;
    ctx.body = { ok: true };
  });
  /** Does what the admin console does when the callback URL is saved: the signed GET echostr check. */
  router.post('/callback-config/verify', async (ctx) => {
    const target = sim.callbackTarget.current;
    if (!target) throw new SimActionError(409, 'no_callback', 'no callback configured');
    const plaintext = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
    const echostr = encrypt(target.encodingAesKey, plaintext, state.corpId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const url = new URL(target.url);
    url.search = new URLSearchParams({ msg_signature: getSignature(target.token, timestamp, nonce, echostr), timestamp, nonce, echostr }).toString();
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
    const answer = (await response.text()).trim();
    ctx.body = { ok: response.status === 200 && answer === plaintext, status: response.status, expected: plaintext, answer };
  });

  router.get('/counters', (ctx) => {
    ctx.body = counterSnapshot(sim);
  });
  router.post('/counters/reset', (ctx) => {
    state.counters.clear();
    ctx.body = { ok: true };
  });
  router.post('/tokens/expire', (ctx) => {
    for (const token of state.tokens.keys()) state.tokens.set(token, Date.now() - 1);
    ctx.body = { ok: true };
  });

  router.post('/robots', async (ctx) => {
    const body = await json(ctx);
    const kind = str(body.kind) as RobotKind | undefined;
    const key = str(body.key);
    if (!kind || !['wecom', 'dingtalk', 'feishu'].includes(kind) || !key) throw new SimActionError(400, 'bad_request', 'kind (wecom|dingtalk|feishu) and key are required');
    state.robots.set(robotId(kind, key), { kind, key, secret: str(body.secret), sentAt: [] });
    ctx.body = { ok: true };
  });
  router.get('/robots/messages', (ctx) => {
    ctx.body = { messages: state.robotMessages };
  });
  router.delete('/robots/messages', (ctx) => {
    state.robotMessages = [];
    ctx.body = { ok: true };
  });

  router.post('/faults', async (ctx) => {
    const body = await json(ctx);
    const path = str(body.path);
    if (!path) throw new SimActionError(400, 'missing_path', 'path is required');
    const fault = state.faults.get(path) ?? {};
    if (body.latencyMs !== undefined) fault.latencyMs = num(body.latencyMs);
    if (body.http5xx !== undefined) fault.http5xxRemaining = num(body.http5xx);
    if (body.errcode !== undefined) {
      fault.errcode = num(body.errcode);
      fault.errcodeRemaining = num(body.times) ?? 1;
    }
    if (body.dropAnswers !== undefined) fault.dropAnswersRemaining = num(body.dropAnswers);
    state.faults.set(path, fault);
    ctx.body = { path, fault };
  });
  router.post('/faults/callbacks', async (ctx) => {
    const body = await json(ctx);
    state.dropCallbacksRemaining = num(body.drop) ?? 0;
    ctx.body = { drop: state.dropCallbacksRemaining };
  });
  router.delete('/faults', (ctx) => {
    state.faults.clear();
    state.dropCallbacksRemaining = 0;
    ctx.body = { ok: true };
  });
  router.get('/transfers', (ctx) => {
    settleTransfers(sim);
    ctx.body = { transfers: state.transfers };
  });
  /** The customer refuses an in-service handover that is still waiting (status 3, transfer_fail). */
  router.post('/transfers/refuse', async (ctx) => {
    const body = await json(ctx);
    const externalUserId = str(body.externalUserId);
    if (!externalUserId) throw new SimActionError(400, 'missing_fields', 'externalUserId is required');
    const transfer = refuseTransfer(sim, externalUserId, str(body.handoverUserid));
    if (!transfer) throw new SimActionError(404, 'no_waiting_transfer', `no waiting in-service transfer of ${externalUserId}`);
    ctx.body = { transfer };
  });
  /** Moves the simulator's clock forward (handover delays, the 90-day rule, behaviour days). */
  router.post('/clock/advance', async (ctx) => {
    const body = await json(ctx);
    const ms = (num(body.hours) ?? 0) * 3_600_000 + (num(body.days) ?? 0) * 86_400_000 + (num(body.ms) ?? 0);
    if (!(ms >= 0)) throw new SimActionError(400, 'bad_request', 'hours, days or ms must be ≥ 0');
    state.clockOffsetMs += ms;
    settleTransfers(sim);
    ctx.body = { now: new Date(simNow(state)).toISOString(), offsetMs: state.clockOffsetMs };
  });
  /** Sets a member's behaviour figures of one Beijing day (`YYYY-MM-DD`). */
  router.put('/behavior', async (ctx) => {
    const body = await json(ctx);
    const userid = str(body.userid);
    const day = str(body.day);
    if (!userid || !day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new SimActionError(400, 'bad_request', 'userid and day (YYYY-MM-DD) are required');
    const figures: BehaviorDay = { ...(state.behavior.get(`${userid}|${day}`) ?? {}) };
    for (const field of BEHAVIOR_FIELDS) if (num(body[field]) !== undefined) figures[field] = num(body[field]);
    state.behavior.set(`${userid}|${day}`, figures);
    ctx.body = { userid, day, ...figures };
  });
  router.post('/contact-way-quota', async (ctx) => {
    const quota = num((await json(ctx)).quota);
    if (quota === undefined || quota < 0) throw new SimActionError(400, 'bad_request', 'quota must be a number');
    state.contactWayQuota = quota;
    ctx.body = { quota };
  });

  router.post('/reset', (ctx) => {
    resetState(state);
    dispatcher.clear();
    onReset();
    ctx.body = { ok: true };
  });

  router.get('/qr/:file', async (ctx) => {
    const configId = ctx.params.file.replace(/\.png$/, '');
    if (!state.contactWays.has(configId)) throw new SimActionError(404, 'unknown_config_id', 'no such contact way');
    ctx.type = 'image/png';
    ctx.body = await QRCode.toBuffer(`${sim.baseUrl()}/sim/add/${configId}`, { type: 'png', margin: 2, width: 256 });
  });

  return router;
}
