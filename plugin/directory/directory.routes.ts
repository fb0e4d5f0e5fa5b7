import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { actorOf } from '../access/access.js';
import type { BranchListBody } from '../contract/index.js';
import type { DirectoryService } from './directory.service.js';

export function directoryRoutes(directory: DirectoryService): RouteSpec[] {
  const routes = routeTable();
  routes.get('/branches', PERMISSIONS.bindingsRead, async (ctx) => {
    ctx.body = { items: await directory.listBranches(actorOf(ctx)) } satisfies BranchListBody;
  });
  return routes.specs;
}
