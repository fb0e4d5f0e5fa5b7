import type { Context, Middleware } from 'koa';
import type { Knex } from 'knex';
import type { Actor, HostAdapter } from '../host/adapter.js';
import { forbidden, unauthorized } from '../http/errors.js';
import type { PermissionId } from './permissions.js';

export interface Access {
  /** Authenticates through the host and checks one permission (401 / 403). */
  require(permission: PermissionId): Middleware;
  /** Every permission some route checks; the manifest test compares it with manifest.json. */
  readonly checkedPermissions: ReadonlySet<PermissionId>;
}

export function createAccess(host: HostAdapter): Access {
  const checked = new Set<PermissionId>();
  return {
    checkedPermissions: checked,
    require(permission) {
      checked.add(permission);
      return async (ctx, next) => {
        const actor = await currentActor(ctx, host);
        if (!actor.permissions.includes(permission)) {
          throw forbidden(`缺少权限 ${permission} (missing permission)`, 'missing_permission');
        }
        await next();
      };
    },
  };
}

async function currentActor(ctx: Context, host: HostAdapter): Promise<Actor> {
  if (!ctx.state.actor) {
    const actor = await host.authenticate(ctx);
    if (!actor) throw unauthorized();
    ctx.state.actor = actor;
  }
  return ctx.state.actor as Actor;
}

export function actorOf(ctx: Context): Actor {
  const actor = ctx.state.actor as Actor | undefined;
  if (!actor) throw unauthorized();
  return actor;
}

export function hasPermission(actor: Actor, permission: PermissionId): boolean {
  return actor.permissions.includes(permission);
}

/** 403 when a branch is outside the actor's scope. */
export function assertBranchInScope(actor: Actor, branchId: string): void {
  if (actor.branchScope === 'all') return;
  if (!actor.branchScope.includes(branchId)) {
    throw forbidden(`无权访问分公司 ${branchId} (branch outside your scope)`, 'branch_out_of_scope');
  }
}

/** Pushes the actor's branch scope into a query (never filter after reading). */
export function whereInScope<T extends Knex.QueryBuilder>(query: T, actor: Actor, branchColumn: string): T {
  if (actor.branchScope === 'all') return query;
  return query.whereIn(branchColumn, [...actor.branchScope]) as T;
}
