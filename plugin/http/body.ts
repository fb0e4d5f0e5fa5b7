import { InputError, tooLarge } from '../core/errors.js';
import type { PluginContext } from '../core/feature.js';

const tooLargeError = (limit: number) => tooLarge(`请求体超过 ${limit} 字节 (body larger than ${limit} bytes)`);

/** The raw request body as bytes, at most `limit` (413 beyond it, before reading it all). */
export async function readRawBody(ctx: PluginContext, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > limit) throw tooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw tooLargeError(limit);
    chunks.push(buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * The one JSON body reader of the plugin: at most `limit` bytes whatever the content type
 * (sendBeacon sends text/plain), or what a host body parser already read. Malformed JSON is a 400;
 * the caller's zod schema then judges the shape.
 */
export async function readJsonBody(ctx: PluginContext, limit: number): Promise<unknown> {
  const request = ctx.request as PluginContext['request'] & { body?: unknown; rawBody?: string };
  let text: string;
  if (typeof request.rawBody === 'string') {
    text = request.rawBody;
    if (Buffer.byteLength(text) > limit) throw tooLargeError(limit);
  } else if (request.body !== undefined && !ctx.req.readable) {
    if (typeof request.body !== 'string') {
      if (Buffer.byteLength(JSON.stringify(request.body) ?? '') > limit) throw tooLargeError(limit);
      return request.body;
    }
    text = request.body;
  } else {
    text = (await readRawBody(ctx, limit)).toString('utf8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError('Invalid JSON body', { _: 'malformed JSON' }, 'malformed_json');
  }
}

/** The raw body as UTF-8 text (WeCom's XML callbacks), or a text a host body parser already read. */
export async function readTextBody(ctx: PluginContext, limit: number): Promise<string> {
  const parsed = (ctx.request as { body?: unknown }).body;
  if (typeof parsed === 'string' && !ctx.req.readable) {
    if (Buffer.byteLength(parsed) > limit) throw tooLargeError(limit);
    return parsed;
  }
  return (await readRawBody(ctx, limit)).toString('utf8');
}
