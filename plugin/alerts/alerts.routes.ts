import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { robotIdSchema, rowIdSchema } from '../core/ids.js';
import { lineText } from '../core/text.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import type { AttemptsBody, DeliveriesBody, TestSendBody } from '../contract/index.js';
import type { AlertsService } from './alerts.service.js';

const deliveryQuery = z
  .object({
    status: z.enum(['pending', 'sending', 'sent', 'failed']).optional(),
    kind: lineText(40).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

/** The delivery log (alerts:read) and test messages (alerts:manage, HQ). */
export function alertsRoutes(alerts: AlertsService): RouteSpec[] {
  const routes = routeTable();

  routes.get('/alerts/deliveries', PERMISSIONS.alertsRead, async (ctx) => {
    const filter = parseInput(deliveryQuery, ctx.query, 'query');
    ctx.body = { ...(await alerts.listDeliveries(actorOf(ctx), filter)), page: filter.page, pageSize: filter.pageSize } satisfies DeliveriesBody;
  });

  routes.get('/alerts/deliveries/:id/attempts', PERMISSIONS.alertsRead, async (ctx) => {
    const { id } = parseInput(z.object({ id: rowIdSchema }), ctx.params, 'path');
    ctx.body = { items: await alerts.listAttempts(actorOf(ctx), id) } satisfies AttemptsBody;
  });

  routes.post('/alerts/robots/:robotId/test', PERMISSIONS.alertsManage, async (ctx) => {
    const { robotId } = parseInput(z.object({ robotId: robotIdSchema }), ctx.params, 'path');
    ctx.body = { delivery: await alerts.sendTest(actorOf(ctx), robotId) } satisfies TestSendBody;
  });

  return routes.specs;
}
