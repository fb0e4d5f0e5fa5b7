import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import { forbidden } from '../core/errors.js';

/**
 * Whose rows a read may see: every branch (HQ, or the system running a job) or a set of branches.
 * Stores take a Scope, never an actor: the one mechanism that narrows queries by branch.
 */
export type Scope = { kind: 'all' } | { kind: 'branches'; branchIds: readonly string[] };

/** Jobs and reactions to WeCom events act for the whole enterprise, explicitly. */
export const SYSTEM_SCOPE: Scope = Object.freeze({ kind: 'all' });

export function scopeOf(actor: Pick<Actor, 'branchScope'>): Scope {
  return actor.branchScope === 'all' ? { kind: 'all' } : { kind: 'branches', branchIds: [...actor.branchScope] };
}

/** A scope narrowed to one branch (which must itself be in scope: see assertBranchInScope). */
export function branchScope(branchId: string): Scope {
  return { kind: 'branches', branchIds: [branchId] };
}

export function inScope(scope: Scope, branchId: string): boolean {
  return scope.kind === 'all' || scope.branchIds.includes(branchId);
}

/** 403 when a branch is outside the scope. */
export function assertBranchInScope(scope: Scope, branchId: string): void {
  if (!inScope(scope, branchId)) throw forbidden(`无权访问分公司 ${branchId} (branch outside your scope)`, 'branch_out_of_scope');
}

/** Pushes the scope into a query on a branch column (never filter after reading). */
export function whereInScope<T extends Knex.QueryBuilder>(query: T, scope: Scope, branchColumn: string): T {
  if (scope.kind === 'all') return query;
  return query.whereIn(branchColumn, [...scope.branchIds]) as T;
}

/** Rows tagged with several branches (a `text[]` column): in scope when any of them is. */
export function whereAnyInScope<T extends Knex.QueryBuilder>(query: T, scope: Scope, branchesColumn: string): T {
  if (scope.kind === 'all') return query;
  return query.whereRaw('?? && ?::text[]', [branchesColumn, [...scope.branchIds]]) as T;
}
