import Router, { type RouterMiddleware } from '@koa/router';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf, hasPermission } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import type { Logger } from '../logger.js';
import { streamExport, writeCsv, writeXlsx } from './metrics.export.js';
import type { MetricsService } from './metrics.service.js';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), 'not a calendar day');

const statsQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    branchId: z.string().min(1).max(64).optional(),
  })
  .strict();

export function createMetricsRoutes(deps: { access: Access; metrics: MetricsService; logger: Logger }): Router {
  const { access, metrics, logger } = deps;
  const router = new Router();

  router.get('/stats/overview', access.require(PERMISSIONS.statsRead), async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(statsQuery, ctx.query, 'query');
    ctx.body = { ...(await metrics.overview(actor, filter)), canExport: hasPermission(actor, PERMISSIONS.statsExport) };
  });

  router.get('/stats/stores/:storeId', access.require(PERMISSIONS.statsRead), async (ctx) => {
    const filter = parseInput(statsQuery.omit({ branchId: true }), ctx.query, 'query');
    ctx.body = await metrics.storeFunnel(actorOf(ctx), ctx.params.storeId, filter);
  });

  const exportRoute = (format: 'xlsx' | 'csv'): RouterMiddleware => async (ctx) => {
    const actor = actorOf(ctx);
    const filter = parseInput(statsQuery, ctx.query, 'query');
    // Everything that can fail with a clean JSON error happens before the first byte is sent.
    const resolved = await metrics.resolve(actor, filter);
    const filename = `wss-stats-${resolved.branchId ?? 'all'}-${resolved.from}-${resolved.to}.${format}`;
    ctx.set('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
    ctx.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      ctx.type = 'text/csv; charset=utf-8';
      ctx.body = streamExport(logger, resolved, (out) => writeCsv(out, metrics.flatRows(resolved)));
      return;
    }
    const overview = await metrics.overview(actor, filter);
    const scopeLabel = resolved.branchId
      ? overview.branches.map((b) => b.branchName).join('、')
      : actor.branchScope === 'all'
        ? '全部分公司'
        : overview.branches.map((b) => b.branchName).join('、');
    ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    ctx.body = streamExport(logger, resolved, (out) => writeXlsx(out, { overview, scopeLabel, rows: metrics.flatRows(resolved) }));
  };
  router.get('/stats/export.xlsx', access.require(PERMISSIONS.statsExport), exportRoute('xlsx'));
  router.get('/stats/export.csv', access.require(PERMISSIONS.statsExport), exportRoute('csv'));

  return router;
}
