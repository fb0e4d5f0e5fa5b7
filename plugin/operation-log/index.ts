/**
 * Operation log (操作日志): the audit trail of every feature (wss_audit_log) across stores, for people —
 * filtered by branch, store, actor, action and day, in the actor's branch scope, with action names
 * and a line saying what changed; exportable to Excel or CSV.
 */
import type { Knex } from 'knex';
import type { Feature } from '../core/feature.js';
import { createOperationLogService, type OperationLogService } from './operation-log.service.js';
import { createOperationLogStore } from './operation-log.store.js';
import { operationLogRoutes } from './operation-log.routes.js';

export type { OperationLogService } from './operation-log.service.js';

export function createOperationLogFeature(deps: { db: Knex; timezone: string }): Feature<OperationLogService> {
  const service = createOperationLogService({ store: createOperationLogStore(deps.db, deps.timezone), timezone: deps.timezone });
  return { service, routes: operationLogRoutes(service, deps.timezone), jobs: [] };
}
