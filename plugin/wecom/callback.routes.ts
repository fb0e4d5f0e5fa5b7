/** WeCom callback endpoint (public: WeCom calls it; authenticity comes from msg_signature). */
import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { CallbackVerificationError } from './callback-crypto.js';
import type { WecomCallbackService } from './callback.service.js';

export const WECOM_CALLBACK_PATH = '/wecom/callback';
const MAX_BODY_BYTES = 256 * 1024;

function signedQuery(ctx: Context) {
  const one = (name: string) => {
    const value = ctx.query[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { msg_signature: one('msg_signature'), timestamp: one('timestamp'), nonce: one('nonce'), echostr: one('echostr') };
}

async function readBody(ctx: Context): Promise<string> {
  // A host body parser may already have read text bodies.
  const parsed = (ctx.request as { body?: unknown }).body;
  if (typeof parsed === 'string') return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', 'Callback body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function createWecomCallbackRoutes(deps: { callbacks: WecomCallbackService; logger: Logger }): Router {
  const router = new Router();

  const reject = (ctx: Context, error: unknown): never => {
    if (error instanceof CallbackVerificationError) {
      deps.logger.warn('wecom callback rejected', { reason: error.reason, method: ctx.method, ip: ctx.ip, requestId: ctx.state.requestId });
      throw new HttpError(400, 'wecom_callback_rejected', `Callback rejected: ${error.reason}`);
    }
    throw error;
  };

  router.get(WECOM_CALLBACK_PATH, (ctx) => {
    try {
      ctx.type = 'text/plain';
      ctx.body = deps.callbacks.verifyUrl(signedQuery(ctx));
    } catch (error) {
      reject(ctx, error);
    }
  });

  router.post(WECOM_CALLBACK_PATH, async (ctx) => {
    const body = await readBody(ctx);
    try {
      await deps.callbacks.receive(signedQuery(ctx), body);
    } catch (error) {
      reject(ctx, error);
    }
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });

  return router;
}
