import { z } from 'zod';
import { searchSchema } from '../core/ids.js';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import type { MemberSearchBody } from '../contract/index.js';
import type { MemberDirectoryService } from './member-directory.service.js';

const searchQuery = z
  .object({ q: searchSchema(64).default(''), limit: z.coerce.number().int().min(1).max(50).default(20) })
  .strict();

/** The member picker of the bind dialog: whoever may bind may search. */
export function memberDirectoryRoutes(directory: MemberDirectoryService): RouteSpec[] {
  const routes = routeTable();
  routes.get('/members', PERMISSIONS.bindingsWrite, async (ctx) => {
    const input = parseInput(searchQuery, ctx.query, 'query');
    ctx.body = (await directory.search(actorOf(ctx), input)) satisfies MemberSearchBody;
  });
  return routes.specs;
}
