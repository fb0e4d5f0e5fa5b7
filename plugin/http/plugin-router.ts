import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import { errorHandler, notFound } from './errors.js';

/**
 * The plugin's one router: error handler first, a request id, each feature's routes, and a JSON 404
 * for unknown paths under the prefix.
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
    root.use(feature.routes(), feature.allowedMethods({ throw: true }));
  }
  root.all('/{*rest}', () => {
    throw notFound('No such route', 'route_not_found');
  });
  return root;
}
