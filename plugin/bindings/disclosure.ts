import { inScope, type Scope } from '../access/scope.js';
import type { BoundElsewhere } from './bindings.store.js';

/**
 * What an actor may learn about where an account is bound: the stores of its own branches by id
 * and name; of any other store only that it exists ("bound elsewhere"), never which one.
 */
export function disclosedBindings(scope: Scope, bound: readonly BoundElsewhere[]): { visible: BoundElsewhere[]; outsideScope: number } {
  const visible = bound.filter((b) => inScope(scope, b.branchId));
  return { visible, outsideScope: bound.length - visible.length };
}

/** '门店 S101（门店名）' for a store the actor may see, else '其他分公司的门店'. */
export function boundPlace(scope: Scope, binding: BoundElsewhere): string {
  return inScope(scope, binding.branchId) ? `门店 ${binding.storeId}（${binding.storeName}）` : '其他分公司的门店';
}
