import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type PluginMiddleware, type RouteSpec } from '../core/feature.js';
import { branchIdSchema, storeIdSchema } from '../core/ids.js';
import { checkPeriod, periodFields } from '../core/days.js';
import type { Logger } from '../core/logger.js';
import { actorOf, hasPermission } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { CustomerFirstAddBody, StatsOverviewBody, StatsRefreshBody, StoreFunnelBody } from '../contract/index.js';
import { notFound } from '../core/errors.js';
import { streamExport, writeCsv, writeXlsx } from './stats.export.js';
import { MAX_PERIOD_DAYS, type StatsService } from './stats.service.js';
import { attachmentHeader } from '../core/local-time.js';

const statsQuery = z
  .object({
    ...periodFields,
    branchId: branchIdSchema.optional(),
  })
  .strict();
const statsPeriod = checkPeriod(MAX_PERIOD_DAYS);

export function statsRoutes(stats: StatsService, logger: Logger): RouteSpec[] {
  const routes = routeTable();

  routes.get('/stats/overview', PERMISSIONS.statsRead, async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(statsQuery.superRefine(statsPeriod), ctx.query, 'query');
    ctx.body = {
      ...(await stats.overview(actor, filter)),
      canExport: hasPermission(actor, PERMISSIONS.statsExport),
      canRefresh: actor.branchScope === 'all' && hasPermission(actor, PERMISSIONS.statsExport),
    } satisfies StatsOverviewBody;
  });

  routes.post('/stats/refresh', PERMISSIONS.statsExport, async (ctx) => {
    const filter = parseInput(statsQuery.superRefine(statsPeriod), ctx.query, 'query');
    // The period is in the query; a body, if any, must be an empty object (anything else is a mistake).
    parseInput(z.object({}).strict(), await readJsonObject(ctx, 1024), 'body');
    const result = await stats.refresh(actorOf(ctx), filter);
    ctx.body = { from: result.from, to: result.to, dirtyDays: result.dirtyDays.length, refreshedAt: new Date().toISOString() } satisfies StatsRefreshBody;
  });

  routes.get('/customers/:externalUserid/first-add', PERMISSIONS.statsRead, async (ctx) => {
    const { externalUserid } = parseInput(z.object({ externalUserid: z.string().min(1).max(64).regex(/^[\w-]+$/) }).loose(), ctx.params, 'path');
    const [found] = await stats.firstAdds([externalUserid]);
    if (!found) throw notFound(`客户 ${externalUserid} 没有添加记录 (no add known)`, 'customer_not_found');
    ctx.body = found satisfies CustomerFirstAddBody;
  });

  routes.get('/stats/stores/:storeId', PERMISSIONS.statsRead, async (ctx) => {
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema }).loose(), ctx.params, 'path');
    const filter = parseInput(statsQuery.omit({ branchId: true }).superRefine(statsPeriod), ctx.query, 'query');
    ctx.body = (await stats.storeFunnel(actorOf(ctx), storeId, filter)) satisfies StoreFunnelBody;
  });

  const exportRoute = (format: 'xlsx' | 'csv'): PluginMiddleware => async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(statsQuery.superRefine(statsPeriod), ctx.query, 'query');
    // Everything that can fail with a clean JSON error happens before the first byte is sent.
    const resolved = await stats.resolve(actor, filter);
    ctx.set('Content-Disposition', attachmentHeader(`数据统计_${resolved.from}至${resolved.to}`, `wss-stats-${resolved.branchId ?? 'all'}-${resolved.from}-${resolved.to}`, format));
    ctx.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = streamExport(logger, resolved, (out) => writeCsv(out, stats.flatRows(resolved)));
      return;
    }
    const overview = await stats.overview(actor, filter);
    const scopeLabel = resolved.branchId
      ? overview.branches.map((b) => b.branchName).join('、')
      : actor.branchScope === 'all'
        ? '全部分公司'
        : overview.branches.map((b) => b.branchName).join('、');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = streamExport(logger, resolved, (out) => writeXlsx(out, { overview, scopeLabel, rows: stats.flatRows(resolved) }));
  };
  routes.get('/stats/export.xlsx', PERMISSIONS.statsExport, exportRoute('xlsx'));
  routes.get('/stats/export.csv', PERMISSIONS.statsExport, exportRoute('csv'));

  return routes.specs;
}
