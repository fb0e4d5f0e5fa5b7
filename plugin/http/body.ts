import { InputError, tooLarge } from '../core/errors.js';
import type { PluginContext } from '../core/feature.js';
import { CONTROL_MESSAGE, isCleanLine, isCleanText } from '../core/text.js';

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

/** Keys that would reach an object's prototype chain if a caller ever merged the body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

export interface JsonBodyOptions {
  /** 'reject' (default): any string with a control character is a 400; 'schema': the caller's schema judges strings one by one. */
  strings?: 'reject' | 'schema';
}

/**
 * The one JSON body reader of the plugin: at most `limit` bytes whatever the content type
 * (sendBeacon sends text/plain), or what a host body parser already read. Malformed JSON, keys
 * such as `__proto__`, nesting deeper than 32 and (by default) strings with control characters are
 * a 400 with a code; the caller's zod schema then judges the shape.
 */
export async function readJsonBody(ctx: PluginContext, limit: number, opts: JsonBodyOptions = {}): Promise<unknown> {
  const request = ctx.request as PluginContext['request'] & { body?: unknown; rawBody?: string };
  let text: string;
  if (typeof request.rawBody === 'string') {
    text = request.rawBody;
    if (Buffer.byteLength(text) > limit) throw tooLargeError(limit);
  } else if (request.body !== undefined && !ctx.req.readable) {
    if (typeof request.body !== 'string') {
      if (Buffer.byteLength(JSON.stringify(request.body) ?? '') > limit) throw tooLargeError(limit);
      checkJsonValue(request.body, opts);
      return request.body;
    }
    text = request.body;
  } else {
    text = (await readRawBody(ctx, limit)).toString('utf8');
  }
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('请求体不是有效的 JSON (malformed JSON body)', { _: 'malformed JSON' }, 'malformed_json');
  }
  checkJsonValue(value, opts);
  return value;
}

/**
 * A JSON object body (`{}` when the body is empty): `null`, arrays, strings, numbers and booleans
 * are a 400 `body_not_object`.
 */
export async function readJsonObject(ctx: PluginContext, limit: number, opts: JsonBodyOptions = {}): Promise<Record<string, unknown>> {
  const value = await readJsonBody(ctx, limit, opts);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError('请求体必须是 JSON 对象 (body must be a JSON object)', { _: 'expected a JSON object' }, 'body_not_object');
  }
  return value as Record<string, unknown>;
}

/** Walks the parsed value without recursion (a deep value cannot overflow the stack). */
function checkJsonValue(root: unknown, opts: JsonBodyOptions): void {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (pending.length) {
    const { value, path, depth } = pending.pop()!;
    const field = path || '_';
    if (typeof value === 'string') {
      if (opts.strings !== 'schema' && !isCleanText(value)) throw new InputError(`Invalid body: ${field}`, { [field]: CONTROL_MESSAGE }, 'control_character');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) throw new InputError('请求体嵌套过深 (body nested too deeply)', { [field]: `nested deeper than ${MAX_DEPTH}` }, 'body_too_deep');
    for (const key of Object.keys(value)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) throw new InputError(`Invalid body: ${keyPath}`, { [keyPath]: 'forbidden key' }, 'forbidden_key');
      if (opts.strings !== 'schema' && !isCleanLine(key)) throw new InputError('Invalid body: key', { _: CONTROL_MESSAGE }, 'control_character');
      pending.push({ value: (value as Record<string, unknown>)[key], path: keyPath, depth: depth + 1 });
    }
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
