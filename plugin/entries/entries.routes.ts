import Router from '@koa/router';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import { jsonBody, storeIdSchema } from '../bindings/bindings.routes.js';
import type { EntriesService } from './entries.service.js';

const reasonSchema = z.string().trim().max(200).optional();
const bulkBody = z.object({ storeIds: z.array(storeIdSchema).min(1).max(5000), visible: z.boolean(), reason: reasonSchema }).strict();
const oneBody = z.object({ visible: z.boolean(), reason: reasonSchema }).strict();

/** Showing and hiding customer entries: HQ WeCom operations only (`entries:toggle`). */
export function createEntriesRoutes(deps: { access: Access; entries: EntriesService }): Router {
  const { access, entries } = deps;
  const router = new Router();

  router.post('/entries/visibility', access.require(PERMISSIONS.entriesToggle), jsonBody(), async (ctx) => {
    const body = parseInput(bulkBody, ctx.request.body ?? {}, 'body');
    ctx.body = await entries.setVisibility(actorOf(ctx), body);
  });

  router.put('/stores/:storeId/entry', access.require(PERMISSIONS.entriesToggle), jsonBody(), async (ctx) => {
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema }).loose(), ctx.params, 'path');
    const body = parseInput(oneBody, ctx.request.body ?? {}, 'body');
    ctx.body = await entries.setVisibility(actorOf(ctx), { storeIds: [storeId], ...body });
  });

  return router;
}
