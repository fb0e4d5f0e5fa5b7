import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { reasonSchema, storeIdSchema } from '../core/ids.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { VisibilityChangeBody } from '../contract/index.js';
import type { VisibilityApi } from './visibility.service.js';

const bulkBody = z
  .object({ storeIds: z.array(storeIdSchema).min(1).max(5000), visible: z.boolean(), reason: reasonSchema, onlyEligible: z.boolean().optional() })
  .strict();
const oneBody = z.object({ visible: z.boolean(), reason: reasonSchema }).strict();
const BODY_LIMIT = 1024 * 1024;

/** Showing and hiding customer entries: HQ WeCom operations only (`entries:toggle`). */
export function visibilityRoutes(entries: VisibilityApi): RouteSpec[] {
  const routes = routeTable();

  routes.post('/entries/visibility', PERMISSIONS.entriesToggle, async (ctx) => {
    const body = parseInput(bulkBody, await readJsonObject(ctx, BODY_LIMIT), 'body');
    ctx.body = (await entries.setVisibility(actorOf(ctx), body)) satisfies VisibilityChangeBody;
  });

  routes.put('/stores/:storeId/entry', PERMISSIONS.entriesToggle, async (ctx) => {
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema }).loose(), ctx.params, 'path');
    const body = parseInput(oneBody, await readJsonObject(ctx, BODY_LIMIT), 'body');
    ctx.body = (await entries.setVisibility(actorOf(ctx), { storeIds: [storeId], ...body })) satisfies VisibilityChangeBody;
  });

  return routes.specs;
}
