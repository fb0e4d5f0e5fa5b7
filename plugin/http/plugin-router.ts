import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import { HttpError, errorHandler, notFound } from './errors.js';

/**
 * The plugin's one router: error handler first, a request id, every feature's routes, and a JSON
 * 404 (or 405 when the path exists with other methods) for the rest under the prefix.
 *
 * Features build their routes on routers of their own; their layers are registered here on one flat
 * router instead of nesting a router per feature, so a request is matched once, not dispatched
 * through every feature's router in turn (the entry route is hit on every paid order).
 */
export function createPluginRouter(deps: { prefix: string; logger: Logger; features: Router[] }): Router {
  const root = new Router({ prefix: deps.prefix });
  const requestId: Middleware = async (ctx, next) => {
    ctx.state.requestId = ctx.get('X-Request-Id') || randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId as string);
    await next();
  };
  root.use(errorHandler(deps.logger), requestId);
  for (const feature of deps.features) {
    for (const layer of feature.stack) {
      root.register(layer.path, layer.methods, layer.stack, { ...layer.opts, name: layer.name ?? undefined });
    }
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
