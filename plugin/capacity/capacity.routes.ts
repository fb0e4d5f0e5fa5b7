import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { branchIdSchema, reasonSchema, rowIdSchema, searchSchema } from '../core/ids.js';
import { actorOf, hasPermission } from '../access/access.js';
import { assertBranchInScope, scopeOf } from '../access/scope.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { AlertRulesBody, CapacityAccountsBody, EnterpriseCapacityBody, LimitChangeBody } from '../contract/index.js';
import type { AlertsService } from '../alerts/index.js';
import type { CapacityService } from './capacity.service.js';

const accountListQuery = z
  .object({
    branchId: branchIdSchema.optional(),
    q: searchSchema().optional().transform((v) => v || undefined),
    minPercent: z.coerce.number().min(0).max(1000).optional(),
    maxPercent: z.coerce.number().min(0).max(1000).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const limitBody = z
  .object({
    limit: z.number().int().min(1).max(20000, '企微单账号客户容量上限为 20000'),
    reason: reasonSchema,
  })
  .strict();

const enterpriseBody = z
  .object({
    purchasedScale: z.number().int().min(1).max(100_000_000).nullable(),
    reason: reasonSchema,
  })
  .strict();

export function capacityRoutes(capacity: CapacityService, alerts: Pick<AlertsService, 'routingView'>): RouteSpec[] {
  const routes = routeTable();

  routes.get('/capacity/accounts', PERMISSIONS.capacityRead, async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(accountListQuery, ctx.query, 'query');
    if (filter.branchId) assertBranchInScope(scopeOf(actor), filter.branchId);
    ctx.body = {
      ...(await capacity.listAccounts(actor, filter)),
      page: filter.page,
      pageSize: filter.pageSize,
      rules: capacity.rules(),
      can: {
        editLimits: hasPermission(actor, PERMISSIONS.capacityManage),
        readAlerts: hasPermission(actor, PERMISSIONS.alertsRead),
        manageAlerts: hasPermission(actor, PERMISSIONS.alertsManage),
      },
    } satisfies CapacityAccountsBody;
  });

  routes.put('/capacity/accounts/:id/limit', PERMISSIONS.capacityManage, async (ctx) => {
    const { id } = parseInput(z.object({ id: rowIdSchema }), ctx.params, 'path');
    const body = parseInput(limitBody, await readJsonObject(ctx, 16 * 1024), 'body');
    ctx.body = { account: await capacity.setLimit(actorOf(ctx), id, body.limit, body.reason) } satisfies LimitChangeBody;
  });

  /** The enterprise's customers (counted once) against the external-contact scale HQ bought. */
  routes.get('/capacity/enterprise', PERMISSIONS.capacityManage, async (ctx) => {
    ctx.body = (await capacity.enterprise()) satisfies EnterpriseCapacityBody;
  });

  routes.put('/capacity/enterprise', PERMISSIONS.capacityManage, async (ctx) => {
    const body = parseInput(enterpriseBody, await readJsonObject(ctx, 16 * 1024), 'body');
    ctx.body = (await capacity.setPurchasedScale(actorOf(ctx), body.purchasedScale, body.reason)) satisfies EnterpriseCapacityBody;
  });

  /** The warning rules (thresholds, templates) with the robots they go to. */
  routes.get('/alerts/rules', PERMISSIONS.alertsRead, (ctx) => {
    ctx.body = { rules: capacity.rules(), routing: alerts.routingView(actorOf(ctx)) } satisfies AlertRulesBody;
  });

  return routes.specs;
}
