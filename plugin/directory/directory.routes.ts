import Router from '@koa/router';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import type { DirectoryService } from './directory.service.js';

const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');

const storeListQuery = z
  .object({
    branchId: z.string().min(1).max(64).optional(),
    bound: booleanParam.optional(),
    visible: booleanParam.optional(),
    open: booleanParam.optional(),
    q: z.string().trim().max(100).optional().transform((v) => v || undefined),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export function createDirectoryRoutes(deps: { access: Access; directory: DirectoryService }): Router {
  const { access, directory } = deps;
  const router = new Router();

  router.get('/branches', access.require(PERMISSIONS.bindingsRead), async (ctx) => {
    ctx.body = { items: await directory.listBranches(actorOf(ctx)) };
  });

  router.get('/stores', access.require(PERMISSIONS.bindingsRead), async (ctx) => {
    const filter = parseInput(storeListQuery, ctx.query, 'query');
    ctx.body = { ...(await directory.listStores(actorOf(ctx), filter)), page: filter.page, pageSize: filter.pageSize };
  });

  return router;
}
