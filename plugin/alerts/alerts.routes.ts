import Router from '@koa/router';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import type { AlertsService } from './alerts.service.js';

const deliveryQuery = z
  .object({
    status: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
    kind: z.string().max(40).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

const deliveryId = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a delivery id') });
const robotParam = z.object({ robotId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a robot id') });

/** Rules, routing and the delivery log (alerts:read); test messages (alerts:manage, HQ). */
export function createAlertsRoutes(deps: { access: Access; alerts: AlertsService; rules: () => unknown }): Router {
  const { access, alerts } = deps;
  const router = new Router();

  router.get('/alerts/rules', access.require(PERMISSIONS.alertsRead), (ctx) => {
    ctx.body = { rules: deps.rules(), routing: alerts.routingView(actorOf(ctx)) };
  });

  router.get('/alerts/deliveries', access.require(PERMISSIONS.alertsRead), async (ctx) => {
    const filter = parseInput(deliveryQuery, ctx.query, 'query');
    ctx.body = { ...(await alerts.listDeliveries(actorOf(ctx), filter)), page: filter.page, pageSize: filter.pageSize };
  });

  router.get('/alerts/deliveries/:id/attempts', access.require(PERMISSIONS.alertsRead), async (ctx) => {
    const { id } = parseInput(deliveryId, ctx.params, 'path');
    ctx.body = { items: await alerts.listAttempts(actorOf(ctx), id) };
  });

  router.post('/alerts/robots/:robotId/test', access.require(PERMISSIONS.alertsManage), async (ctx) => {
    const { robotId } = parseInput(robotParam, ctx.params, 'path');
    ctx.body = { delivery: await alerts.sendTest(actorOf(ctx), robotId) };
  });

  return router;
}
