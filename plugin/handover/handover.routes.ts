import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { rowIdSchema, storeIdSchema } from '../core/ids.js';
import { actorOf, hasPermission } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { HandoverDetailBody, HandoverListBody } from '../contract/index.js';
import type { HandoverService } from './handover.service.js';

const listQuery = z
  .object({ status: z.enum(['proposed', 'in_progress', 'approved', 'transferring', 'done', 'dismissed']).optional(), storeId: storeIdSchema.optional() })
  .strict();
const idParams = z.object({ id: rowIdSchema }).loose();
const userid = z.string().trim().min(1).max(64);
const approveBody = z
  .object({ takeoverUserids: z.array(userid).min(1).max(10).optional(), successMessage: z.string().trim().min(1).max(200).optional() })
  .strict();
const dismissBody = z.object({ reason: z.string().trim().max(200).optional() }).strict();

/** Handover proposals: read in scope by every role, decided by HQ (`reviews:decide`). */
export function handoverRoutes(service: HandoverService): RouteSpec[] {
  const routes = routeTable();

  routes.get('/handovers', PERMISSIONS.bindingsRead, async (ctx) => {
    const actor = actorOf(ctx);
    const list = await service.list(actor, parseInput(listQuery, ctx.query, 'query'));
    ctx.body = { ...list, can: { decide: hasPermission(actor, PERMISSIONS.reviewsDecide) } } satisfies HandoverListBody;
  });

  routes.get('/handovers/:id', PERMISSIONS.bindingsRead, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params, 'path');
    ctx.body = (await service.detail(actorOf(ctx), id)) satisfies HandoverDetailBody;
  });

  routes.post('/handovers/:id/approve', PERMISSIONS.reviewsDecide, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params, 'path');
    const body = parseInput(approveBody, await readJsonObject(ctx, 16 * 1024), 'body');
    ctx.body = (await service.approve(actorOf(ctx), id, body)) satisfies HandoverDetailBody;
  });

  routes.post('/handovers/:id/dismiss', PERMISSIONS.reviewsDecide, async (ctx) => {
    const { id } = parseInput(idParams, ctx.params, 'path');
    const body = parseInput(dismissBody, await readJsonObject(ctx, 16 * 1024), 'body');
    ctx.body = (await service.dismiss(actorOf(ctx), id, body.reason)) satisfies HandoverDetailBody;
  });

  return routes.specs;
}
