import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf, assertBranchInScope, hasPermission } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import type { CapacityService } from './capacity.service.js';

const accountListQuery = z
  .object({
    branchId: z.string().min(1).max(64).optional(),
    q: z.string().trim().max(100).optional().transform((v) => v || undefined),
    minPercent: z.coerce.number().min(0).max(1000).optional(),
    maxPercent: z.coerce.number().min(0).max(1000).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const accountId = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be an account id') });

const limitBody = z
  .object({
    limit: z.number().int().min(1).max(20000, '企微单账号客户容量上限为 20000'),
    reason: z.string().trim().max(200).optional(),
  })
  .strict();

export function createCapacityRoutes(deps: { access: Access; capacity: CapacityService }): Router {
  const { access, capacity } = deps;
  const router = new Router();

  router.get('/capacity/accounts', access.require(PERMISSIONS.capacityRead), async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(accountListQuery, ctx.query, 'query');
    if (filter.branchId) assertBranchInScope(actor, filter.branchId);
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
    };
  });

  router.put('/capacity/accounts/:id/limit', access.require(PERMISSIONS.capacityManage), bodyParser({ enableTypes: ['json'], jsonLimit: '16kb' }), async (ctx) => {
    const { id } = parseInput(accountId, ctx.params, 'path');
    const body = parseInput(limitBody, ctx.request.body ?? {}, 'body');
    ctx.body = { account: await capacity.setLimit(actorOf(ctx), id, body.limit, body.reason) };
  });

  return router;
}
