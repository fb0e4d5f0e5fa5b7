import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Logger } from '../core/logger.js';
import { notFound } from '../core/errors.js';
import type { PermissionId } from '../core/permissions.js';
import type { PluginMiddleware, PluginState, RouteSpec } from '../core/feature.js';
import { HttpError, errorHandler } from './error-handler.js';


export const requestId: PluginMiddleware = async (ctx, next) => {
  ctx.state.requestId = ctx.get('X-Request-Id') || randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId);
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
  root.use(errorHandler(deps.logger), requestId);
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
