import type { Knex } from 'knex';
import { storeIsBoundSql } from '../core/serving.js';
import { whereInScope, type Scope } from '../access/scope.js';

export interface StoreFilter {
  branchId?: string;
  bound?: boolean;
  visible?: boolean;
  open?: boolean;
  q?: string;
}

export interface StoreListFilter extends StoreFilter {
  page: number;
  pageSize: number;
}

/**
 * The store filters shared by the store list and the binding export, with the scope, pushed into a
 * query over `wss_stores as s` left-joined to `wss_store_entries as e`. "Bound" is the serving
 * rule's (an active primary or backup; a store served only by retired accounts is not bound).
 */
export function whereStoreMatches<T extends Knex.QueryBuilder>(query: T, scope: Scope, filter: StoreFilter): T {
  whereInScope(query, scope, 's.branch_id');
  if (filter.branchId) query.where('s.branch_id', filter.branchId);
  if (filter.open !== undefined) query.where('s.is_open', filter.open);
  if (filter.visible !== undefined) {
    if (filter.visible) query.where('e.visible', true);
    else query.where((w) => w.whereNull('e.visible').orWhere('e.visible', false));
  }
  if (filter.bound !== undefined) query.whereRaw(filter.bound ? storeIsBoundSql('s') : `NOT ${storeIsBoundSql('s')}`);
  if (filter.q) {
    const escaped = filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const exact = filter.q;
    query.where((w) =>
      w.where('s.id', exact).orWhereRaw('lower(s.id) LIKE ?', [`${escaped}%`]).orWhereRaw('lower(s.name) LIKE ?', [`%${escaped}%`]),
    );
  }
  return query;
}
