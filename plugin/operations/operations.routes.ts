import { routeTable, type RouteSpec } from '../core/feature.js';
import { PERMISSIONS } from '../core/permissions.js';
import type { HealthBody } from '../contract/index.js';
import type { OperationsService } from './operations.service.js';

/** Health (503 when the database is down, for load balancers) and Prometheus metrics. */
export function operationsRoutes(operations: OperationsService, options: { metricsRoute: boolean }): RouteSpec[] {
  const routes = routeTable();
  routes.get('/ops/health', PERMISSIONS.operationsRead, async (ctx) => {
    const health = await operations.health();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = health.status === 'down' ? 503 : 200;
    ctx.body = health satisfies HealthBody;
  });
  if (options.metricsRoute) {
    routes.get('/ops/metrics', PERMISSIONS.operationsRead, async (ctx) => {
      const { contentType, body } = await operations.metricsText();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = contentType;
      ctx.body = body;
    });
  }
  return routes.specs;
}
