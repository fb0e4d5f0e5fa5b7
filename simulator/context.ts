import type { CallbackDispatcher, CallbackTarget } from './callbacks.js';
import type { AcquisitionActions } from './acquisition.js';
import type { CustomerActions } from './customers.js';
import type { WindowMode } from './rate-window.js';
import type { SimState } from './state.js';

export interface ResolvedSimOptions {
  corpId: string;
  corpSecret: string;
  /** The contact-sync (通讯录同步) secret: its token alone may call user/list_id. */
  contactSyncSecret: string;
  agentId: string;
  tokenTtlSeconds: number;
  perApiLimitPerMinute: number;
  rateLimitWindowMs: number;
  rateLimitMode: WindowMode;
  welcomeCodeTtlSeconds: number;
  robotWindowScale: number;
  /** A handover completes this long after the request (real: 24 h). */
  transferDelayMs: number;
  /** Yesterday's behaviour data reads as zeros before this hour, Beijing time. */
  behaviorReadyHour: number;
}

export interface SimContext {
  state: SimState;
  options: ResolvedSimOptions;
  dispatcher: CallbackDispatcher;
  actions: CustomerActions;
  acquisition: AcquisitionActions;
  callbackTarget: { current: CallbackTarget | undefined };
  baseUrl(): string;
}

export type ApiResult = { errcode: number; errmsg: string } & Record<string, unknown>;

export interface ApiRequest {
  query: Record<string, string | undefined>;
  body: Record<string, unknown> | undefined;
}

export interface ApiRoute {
  method: 'GET' | 'POST';
  needsToken: boolean;
  handle(request: ApiRequest): ApiResult | Promise<ApiResult>;
}

export function ok(extra: Record<string, unknown> = {}): ApiResult {
  return { errcode: 0, errmsg: 'ok', ...extra };
}
