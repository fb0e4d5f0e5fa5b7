import type { Middleware } from 'koa';
import { z } from 'zod';
import type { Logger } from '../logger.js';

export type FieldErrors = Record<string, string>;

/** An operational error: it carries the HTTP status and a machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class InputError extends HttpError {
  constructor(message: string, fields?: FieldErrors, code = 'invalid_input') {
    super(400, code, message, fields ? { fields } : undefined);
  }
}
export const unauthorized = () => new HttpError(401, 'unauthenticated', '请先登录 (sign in first)');
export const forbidden = (message = '无权执行此操作 (not allowed)', code = 'forbidden') =>
  new HttpError(403, code, message);
export const notFound = (message: string, code = 'not_found') => new HttpError(404, code, message);
export const conflict = (message: string, code: string, details?: unknown) =>
  new HttpError(409, code, message, details);

/** Parses input with a zod schema; failures become a 400 naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what = 'request'): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const base = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[base ? `${base}.${key}` : key] = 'unknown field';
    } else {
      fields[base || '_'] ??= issue.message;
    }
  }
  throw new InputError(`Invalid ${what}: ${Object.keys(fields).join(', ')}`, fields);
}

/**
 * First middleware of the plugin: one JSON error shape for every route, no stack traces to clients,
 * unexpected errors to the logger.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
        return;
      }
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
        // Koa/bodyparser/router errors such as 405, 413 or malformed JSON.
        ctx.status = status;
        ctx.body = { error: { code: httpCode(status), message: (err as Error).message } };
        return;
      }
      logger.error('unexpected error', {
        method: ctx.method,
        path: ctx.path,
        requestId: ctx.state.requestId,
        error: err instanceof Error ? err.stack ?? err.message : String(err),
      });
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: 'Internal server error' } };
    }
  };
}

function httpCode(status: number): string {
  switch (status) {
    case 400: return 'bad_request';
    case 404: return 'not_found';
    case 405: return 'method_not_allowed';
    case 413: return 'payload_too_large';
    case 415: return 'unsupported_media_type';
    default: return `http_${status}`;
  }
}
