/**
 * Offline WeCom simulator: the /cgi-bin APIs this plugin uses, robot webhooks, encrypted customer
 * callbacks, fault injection and a /sim control API. Start with `createWecomSimulator()`.
 */
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import Koa from 'koa';
import { createCallbackDispatcher, type CallbackRecord, type CallbackTarget } from './callbacks.js';
import type { ResolvedSimOptions, SimContext } from './context.js';
import { counterSnapshot, createControlRouter } from './control.js';
import { createCustomerActions } from './customers.js';
import { createAcquisitionActions } from './acquisition.js';
import { createAcquisitionControlRouter } from './acquisition-control.js';
import { createPagesRouter } from './pages.js';
import type { WindowMode } from './rate-window.js';
import { createRobotApi } from './robots.js';
import { createState, upsertMember, type ApiCounter, type MemberStatus, type SimDepartment, type SimState, type SimVisibleRange } from './state.js';
import { createWecomApi } from './wecom-api.js';

export interface SimulatorSeedMember {
  userid: string;
  name?: string;
  status?: MemberStatus;
  capacity?: number;
  /** Department ids (default [1], the root); the first is the main one unless main_department says otherwise. */
  department?: number[];
  main_department?: number;
  /** Synthetic customers to create silently at start. */
  customers?: number;
}

export interface WecomSimulatorOptions {
  corpId?: string;
  corpSecret?: string;
  contactSyncSecret?: string;
  agentId?: string;
  port?: number;
  host?: string;
  /** Lifetime of issued access tokens (real: 7200). */
  tokenTtlSeconds?: number;
  callback?: CallbackTarget;
  /** Per-API frequency limit inside one window (real: 10,000 per minute). */
  perApiLimitPerMinute?: number;
  /** Length of the frequency window; shorten to make tests fast (real: 60,000). */
  rateLimitWindowMs?: number;
  rateLimitMode?: WindowMode;
  /** Receiver must answer 200 within this time (real: 5,000 ms). */
  callbackTimeoutMs?: number;
  /** Retries after the first callback attempt (real: 3). */
  callbackRetries?: number;
  callbackRetryDelayMs?: number;
  contactWayQuota?: number;
  welcomeCodeTtlSeconds?: number;
  /** Multiplies robot rate-limit windows and DingTalk's 10-minute throttle (1 = real). */
  robotWindowScale?: number;
  /** A handover (继承) completes this long after the request (real: 24 h; `/sim/clock/advance` moves time). */
  transferDelayMs?: number;
  /** Yesterday's get_user_behavior_data reads as zeros before this hour, Beijing time (default 8). */
  behaviorReadyHour?: number;
  members?: SimulatorSeedMember[];
  /** Departments besides the root (id 1). */
  departments?: SimDepartment[];
  /** The app's visible range (default: the whole enterprise). */
  visibleRange?: SimVisibleRange;
}

export interface WecomSimulator {
  url: string;
  port: number;
  state: SimState;
  options: ResolvedSimOptions;
  /** Sets or clears the callback receiver. */
  setCallback(target: CallbackTarget | undefined): void;
  /** Resolves when every queued callback has finished (all retries included). */
  waitForCallbacks(): Promise<void>;
  readonly pendingCallbacks: number;
  readonly callbacks: CallbackRecord[];
  counters(): Record<string, ApiCounter>;
  context: SimContext;
  close(): Promise<void>;
}

export const DEFAULT_SIM_CORP_ID = 'wwsimulatorcorp0001';
export const DEFAULT_SIM_SECRET = 'sim-secret-0123456789abcdefghijklmnopqrstuv';
export const DEFAULT_SIM_CONTACT_SYNC_SECRET = 'sim-contact-sync-secret-0123456789abcdefghijkl';

function resolveOptions(options: WecomSimulatorOptions): ResolvedSimOptions {
  return {
    corpId: options.corpId ?? DEFAULT_SIM_CORP_ID,
    corpSecret: options.corpSecret ?? DEFAULT_SIM_SECRET,
    contactSyncSecret: options.contactSyncSecret ?? DEFAULT_SIM_CONTACT_SYNC_SECRET,
    agentId: options.agentId ?? '1000002',
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    perApiLimitPerMinute: options.perApiLimitPerMinute ?? 10_000,
    rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
    rateLimitMode: options.rateLimitMode ?? 'sliding',
    welcomeCodeTtlSeconds: options.welcomeCodeTtlSeconds ?? 20,
    robotWindowScale: options.robotWindowScale ?? 1,
    transferDelayMs: options.transferDelayMs ?? 24 * 3_600_000,
    behaviorReadyHour: options.behaviorReadyHour ?? 8,
  };
}

export async function createWecomSimulator(options: WecomSimulatorOptions = {}): Promise<WecomSimulator> {
  const resolved = resolveOptions(options);
  const state = createState(resolved.corpId, resolved.agentId, options.contactWayQuota ?? 500_000);
  const callbackTarget: { current: CallbackTarget | undefined } = { current: options.callback };
  let baseUrl = '';
  const dispatcher = createCallbackDispatcher({
    state,
    target: () => callbackTarget.current,
    timeoutMs: options.callbackTimeoutMs ?? 5000,
    retries: options.callbackRetries ?? 3,
    retryDelayMs: options.callbackRetryDelayMs ?? 0,
  });
  const actions = createCustomerActions(state, dispatcher, resolved.welcomeCodeTtlSeconds * 1000);
  const acquisition = createAcquisitionActions(state, dispatcher, actions);
  const context: SimContext = { state, options: resolved, dispatcher, actions, acquisition, callbackTarget, baseUrl: () => baseUrl };

  const seed = () => {
    for (const department of options.departments ?? []) state.departments.set(department.id, department);
    state.visibleRange = options.visibleRange ?? null;
    for (const member of options.members ?? []) {
      upsertMember(state, { ...member, main_department: member.main_department ?? member.department?.[0] });
      if (member.customers) actions.setCount(member.userid, member.customers);
    }
  };
  seed();

  const app = new Koa();
  const wecomApi = createWecomApi(context);
  const robotApi = createRobotApi(context);
  const control = createControlRouter(context, seed);
  const pages = createPagesRouter(context);
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.body = { error: 'internal', message: error instanceof Error ? error.message : String(error) };
    }
  });
  app.use((ctx, next) => robotApi.middleware(ctx, next));
  app.use((ctx, next) => wecomApi.middleware(ctx, next));
  app.use(pages.routes());
  app.use(createAcquisitionControlRouter(context).routes());
  app.use(control.routes());
  app.use(control.allowedMethods());

  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url: baseUrl,
    port,
    state,
    options: resolved,
    context,
    setCallback(target) {
      callbackTarget.current = target;
    },
    waitForCallbacks: () => dispatcher.waitForIdle(),
    get pendingCallbacks() {
      return dispatcher.pending;
    },
    get callbacks() {
      return dispatcher.records;
    },
    counters: () => counterSnapshot(context),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
