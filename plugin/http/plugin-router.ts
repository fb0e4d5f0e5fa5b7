import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Logger } from '../core/logger.js';
import { InputError, notFound } from '../core/errors.js';
import { CONTROL_MESSAGE, isCleanLine } from '../core/text.js';
import type { PermissionId } from '../core/permissions.js';
import type { PluginContext, PluginMiddleware, PluginState, RouteSpec } from '../core/feature.js';
import { HttpError, errorHandler } from './error-handler.js';


/** A caller's request id is echoed and logged, so only a short plain one is kept. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a short plain one, else a new id. */
export function requestIdOf(ctx: PluginContext): string {
  const given = ctx.get('X-Request-Id');
  return REQUEST_ID.test(given) ? given : randomUUID();
}

export const requestId: PluginMiddleware = async (ctx, next) => {
  ctx.state.requestId = requestIdOf(ctx);
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
};

/**
 * Path and query text reach ids, filters and SQL parameters: a control character anywhere in them
 * (decoded) is a 400 before any route runs, whatever the route's own schema says.
 */
export const rejectControlCharacters: PluginMiddleware = async (ctx, next) => {
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(ctx.path);
  } catch {
    throw new InputError('路径编码无效 (malformed path encoding)', { _: 'malformed percent-encoding' }, 'malformed_path');
  }
  if (!isCleanLine(decodedPath)) throw new InputError('Invalid path', { _: CONTROL_MESSAGE }, 'control_character');
  for (const [key, value] of Object.entries(ctx.query)) {
    const values = Array.isArray(value) ? value : [value ?? ''];
    if (!isCleanLine(key) || values.some((v) => !isCleanLine(v))) {
      throw new InputError(`Invalid query: ${key.slice(0, 40)}`, { [isCleanLine(key) ? key : '_']: CONTROL_MESSAGE }, 'control_character');
    }
  }
  await next();
};

/**
 * The plugin's one router: error handler first, a request id, every feature's route specs on one
 * flat router (a request is matched once, whatever the number of features), each non-public route
 * behind its permission guard, and a JSON 404 (or 405 when the path exists with other methods).
 */
export function createPluginRouter(deps: {
  prefix: string;
  logger: Logger;
  guard: (permission: PermissionId) => PluginMiddleware;
  routes: readonly RouteSpec[];
}): Router<PluginState> {
  const root = new Router<PluginState>({ prefix: deps.prefix });
  root.use(errorHandler(deps.logger), requestId, rejectControlCharacters);
  for (const route of deps.routes) {
    const handlers = route.access === 'public' ? route.handlers : [deps.guard(route.access), ...route.handlers];
    root.register(route.path, [route.method], handlers);
  }
  const catchAll = `${deps.prefix}/{*rest}`;
  root.all('/{*rest}', (ctx) => {
    const allowed = new Set(
      (ctx.matched ?? [])
        .filter((layer) => layer.methods.length && layer.path !== catchAll)
        .flatMap((layer) => layer.methods),
    );
    if (allowed.size) {
      ctx.set('Allow', [...allowed].join(', '));
      throw new HttpError(405, 'method_not_allowed', `${ctx.method} is not allowed here`);
    }
    throw notFound('No such route', 'route_not_found');
  });
  return root;
}
