import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import type { MeBody } from '../contract/index.js';
import { actorOf, capabilitiesOf } from './access.js';

/** Who is signed in and what the UI may offer them (`can`); the server checks again on every call. */
export function meRoutes(timezone: string): RouteSpec[] {
  const routes = routeTable();
  routes.get('/me', PERMISSIONS.bindingsRead, (ctx) => {
    const actor = actorOf(ctx);
    ctx.body = {
      id: actor.id,
      name: actor.name,
      branchScope: actor.branchScope === 'all' ? 'all' : [...actor.branchScope],
      can: capabilitiesOf(actor),
      timezone,
    } satisfies MeBody;
  });
  return routes.specs;
}
