import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError, InputError } from '../http/errors.js';
import { setPublicCors } from '../entry/entry.routes.js';
import { MAX_BATCH_BYTES } from './tracking.schema.js';
import type { TrackingService } from './tracking.service.js';

const tooLarge = (limit: number) => new HttpError(413, 'payload_too_large', `请求体超过 ${limit} 字节 (body larger than ${limit} bytes)`);

/**
 * Reads a JSON body of at most `limit` bytes whatever its content type (sendBeacon sends
 * text/plain), or takes the one a host body parser already read.
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const request = ctx.request as Context['request'] & { body?: unknown; rawBody?: string };
  let text: string;
  if (typeof request.rawBody === 'string') {
    text = request.rawBody;
    if (Buffer.byteLength(text) > limit) throw tooLarge(limit);
  } else if (request.body !== undefined && !ctx.req.readable) {
    text = JSON.stringify(request.body);
    if (Buffer.byteLength(text) > limit) throw tooLarge(limit);
  } else {
    const declared = Number(ctx.get('Content-Length') || 0);
    if (declared > limit) throw tooLarge(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
    // `size` counted the bytes read: no second pass over the text to measure it.
    text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)).toString('utf8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('Invalid JSON body', { _: 'malformed JSON' }, 'malformed_json');
  }
}

/** Public event ingestion: POST /public/events `{ events: [...] }`, ≤100 events, ≤64 KB. */
export function createTrackingRoutes(deps: { tracking: TrackingService }): Router {
  const router = new Router();
  router.post('/public/events', async (ctx) => {
    setPublicCors(ctx);
    const body = await readJsonBody(ctx, MAX_BATCH_BYTES);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.tracking.ingest(body, ctx.ip);
  });
  return router;
}
