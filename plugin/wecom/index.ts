/**
 * The WeCom server-API client the plugin shares (one per plugin instance: one token cache, one
 * per-API budget, one concurrency cap for every feature). Not a feature of its own: it has no routes
 * or jobs; features take the slice of `WecomClient` they call.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { PluginMetrics } from '../core/metrics.js';
import { DomainError, unavailable } from '../core/errors.js';
import { createWecomClient, type WecomClient } from './client.js';
import { WecomApiError, WecomTransportError } from './errors.js';
import { createDbTokenStore } from './token-store.js';
import type { WecomConfig } from './wecom.config.js';

export type { WecomClient, WecomClientOptions } from './client.js';
export { createWecomClient } from './client.js';
export { WecomApiError, WecomTransportError } from './errors.js';
export { createDbTokenStore, createMemoryTokenStore } from './token-store.js';
export type * from './types.js';
export { wecomConfigSchema, type WecomConfig } from './wecom.config.js';

/** The plugin's client: token shared through the database, budget and cap from the config. */
export function createPluginWecomClient(deps: { db: Knex; config: WecomConfig; logger: Logger; metrics?: PluginMetrics }): WecomClient {
  return createWecomClient({
    baseUrl: deps.config.apiBaseUrl,
    corpId: deps.config.corpId,
    corpSecret: deps.config.corpSecret,
    tokenStore: createDbTokenStore(deps.db),
    logger: deps.logger,
    metrics: deps.metrics,
    limits: { perApiPerMinute: deps.config.perApiPerMinute, concurrency: deps.config.concurrency },
  });
}

/** user/get errcodes that mean "no such member we may see": unknown userid, outside the app's range. */
export const UNKNOWN_MEMBER_ERRCODES: ReadonlySet<number> = new Set([60111, 60011, 60021, 40003]);

/** A WeCom failure as the domain error people see (502); the message carries no credential. */
export function wecomUnavailable(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof WecomApiError) {
    return unavailable(`企业微信接口返回错误 ${error.errcode} (WeCom ${error.api} errcode ${error.errcode})`, 'wecom_error', { errcode: error.errcode });
  }
  if (error instanceof WecomTransportError) {
    return unavailable(`企业微信暂时无法访问 (WeCom unreachable: ${error.reason})`, 'wecom_unavailable');
  }
  return unavailable('企业微信暂时无法访问 (WeCom unreachable)', 'wecom_unavailable');
}
