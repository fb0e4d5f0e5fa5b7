import type { Actor, HostAdapter } from '../host/adapter.js';
import type { Capabilities } from '../contract/index.js';
import { forbidden, unauthenticated } from '../core/errors.js';
import type { PluginContext, PluginMiddleware } from '../core/feature.js';
import { PERMISSIONS, type PermissionId } from '../core/permissions.js';

/** Authenticates through the host and checks one permission before the route reads any input. */
export function createRouteGuard(host: HostAdapter): (permission: PermissionId) => PluginMiddleware {
  return (permission) => async (ctx, next) => {
    const actor = await currentActor(ctx, host);
    if (!actor.permissions.includes(permission)) {
      throw forbidden(`缺少权限 ${permission} (missing permission)`, 'missing_permission');
    }
    await next();
  };
}

async function currentActor(ctx: PluginContext, host: HostAdapter): Promise<Actor> {
  if (!ctx.state.actor) {
    const actor = await host.authenticate(ctx);
    if (!actor) throw unauthenticated();
    ctx.state.actor = actor;
  }
  return ctx.state.actor;
}

/** The actor the route guard authenticated (a route without a guard has none: 401). */
export function actorOf(ctx: PluginContext): Actor {
  const actor = ctx.state.actor;
  if (!actor) throw unauthenticated();
  return actor;
}

export function hasPermission(actor: Actor, permission: PermissionId): boolean {
  return actor.permissions.includes(permission);
}

/** What the UI may offer this actor: derived from grants here, so elements never read permission ids. */
export function capabilitiesOf(actor: Actor): Capabilities {
  const can = (p: PermissionId) => hasPermission(actor, p);
  return {
    bind: can(PERMISSIONS.bindingsWrite),
    shareAccounts: can(PERMISSIONS.bindingsShare),
    toggleEntries: can(PERMISSIONS.entriesToggle),
    decideReviews: can(PERMISSIONS.reviewsDecide),
    readCapacity: can(PERMISSIONS.capacityRead),
    editCapacity: can(PERMISSIONS.capacityManage),
    readAlerts: can(PERMISSIONS.alertsRead),
    manageAlerts: can(PERMISSIONS.alertsManage),
    readStats: can(PERMISSIONS.statsRead),
    exportStats: can(PERMISSIONS.statsExport),
  };
}
