import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { branchIdSchema, storeIdSchema } from '../core/ids.js';
import { lineText } from '../core/text.js';
import { checkPeriod, periodFields } from '../core/days.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import type { OperationLogBody } from '../contract/index.js';
import type { OperationLogService } from './operation-log.service.js';
import { attachmentHeader } from '../core/local-time.js';
import { todayIn } from '../core/days.js';

const filterShape = {
  branchId: branchIdSchema.optional(),
  storeId: storeIdSchema.optional(),
  actorId: lineText(128).pipe(z.string().min(1)).optional(),
  action: z.string().regex(/^[a-z_.]{1,40}$/, 'an action id such as binding.bind').optional(),
  ...periodFields,
};
const listQuery = z
  .object({ ...filterShape, page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) })
  .strict()
  .superRefine(checkPeriod());
const exportQuery = z
  .object({ ...filterShape, format: z.enum(['xlsx', 'csv']).default('xlsx') })
  .strict()
  .superRefine(checkPeriod());

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/** The operation log across stores (操作日志): every role reads its own scope. */
export function operationLogRoutes(log: OperationLogService, timezone: string): RouteSpec[] {
  const routes = routeTable();

  routes.get('/operation-log', PERMISSIONS.bindingsRead, async (ctx) => {
    const filter = parseInput(listQuery, ctx.query, 'query');
    ctx.body = (await log.list(actorOf(ctx), filter)) satisfies OperationLogBody;
  });

  routes.get('/exports/operation-log', PERMISSIONS.bindingsRead, async (ctx) => {
    const { format, ...filter } = parseInput(exportQuery, ctx.query, 'query');
    const body = await log.exportLog(actorOf(ctx), filter, format);
    const day = todayIn(timezone);
    ctx.type = CONTENT_TYPES[format];
    ctx.set('Content-Disposition', attachmentHeader(`操作日志_${day}`, `operation-log-${day}`, format));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });

  return routes.specs;
}
