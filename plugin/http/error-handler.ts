import { z } from 'zod';
import { DomainError, InputError, type DomainErrorKind, type FieldErrors } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PluginMiddleware } from '../core/feature.js';

const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  // WeCom (the service behind us) failed or is unreachable.
  unavailable: 502,
};

/** A protocol-level answer of the router itself (405 with Allow); features throw DomainError. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

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
 * First middleware of the plugin: one JSON error shape for every route, no stack traces to clients.
 * Unexpected errors go to the logger and to the host app's `error` listeners.
 */
export function errorHandler(logger: Logger): PluginMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof DomainError) {
        ctx.status = STATUS[err.kind];
        ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } };
        return;
      }
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: { code: err.code, message: err.message } };
        return;
      }
      const status = (err as { status?: number }).status;
      if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
        // Koa's own client errors (e.g. a host body parser's 413 or 415).
        ctx.status = status;
        ctx.body = { error: { code: httpCode(status), message: (err as Error).message } };
        return;
      }
      logger.error('unexpected error', {
        method: ctx.method,
        path: ctx.path,
        requestId: ctx.state.requestId,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error', message: 'Internal server error' } };
      // The host's `app.on('error')` sees it too (Koa's recipe); `expose` false: nothing leaks.
      ctx.app.emit('error', err, ctx);
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
