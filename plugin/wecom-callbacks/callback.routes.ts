/** WeCom callback endpoint (public: WeCom calls it; authenticity comes from msg_signature). */
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { routeTable, type PluginContext, type RouteSpec } from '../core/feature.js';
import { readTextBody } from '../http/body.js';
import { CallbackVerificationError } from './callback-crypto.js';
import type { WecomCallbacksService } from './callback.service.js';

export const WECOM_CALLBACK_PATH = '/wecom/callback';
const MAX_BODY_BYTES = 256 * 1024;

function signedQuery(ctx: PluginContext) {
  const one = (name: string) => {
    const value = ctx.query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { msg_signature: one('msg_signature'), timestamp: one('timestamp'), nonce: one('nonce'), echostr: one('echostr') };
}

export function wecomCallbackRoutes(callbacks: WecomCallbacksService, logger: Logger): RouteSpec[] {
  const routes = routeTable();

  const reject = (ctx: PluginContext, error: unknown): never => {
    if (error instanceof CallbackVerificationError) {
      logger.warn('wecom callback rejected', { reason: error.reason, method: ctx.method, ip: ctx.ip, requestId: ctx.state.requestId });
      throw new InputError(`Callback rejected: ${error.reason}`, undefined, 'wecom_callback_rejected');
    }
    throw error;
  };

  routes.get(WECOM_CALLBACK_PATH, 'public', (ctx) => {
    try {
      ctx.type = 'text/plain';
      ctx.body = callbacks.verifyUrl(signedQuery(ctx));
    } catch (error) {
      reject(ctx, error);
    }
  });

  routes.post(WECOM_CALLBACK_PATH, 'public', async (ctx) => {
    const body = await readTextBody(ctx, MAX_BODY_BYTES);
    try {
      await callbacks.receive(signedQuery(ctx), body);
    } catch (error) {
      reject(ctx, error);
    }
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return routes.specs;
}
