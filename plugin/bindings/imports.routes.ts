import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type PluginContext, type RouteSpec } from '../core/feature.js';
import { booleanParam, branchIdSchema } from '../core/ids.js';
import { lineText } from '../core/text.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readRawBody } from '../http/body.js';
import type { ImportJobBody } from '../contract/index.js';
import type { ExportService } from './export.service.js';
import { attachmentHeader } from '../core/local-time.js';
import { todayIn } from '../core/days.js';
import { CONTENT_TYPES, formatOf, templateFile } from './import-file.js';
import type { ImportsService } from './imports.service.js';

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const formatParam = z.enum(['xlsx', 'csv']).default('xlsx');

function attachment(ctx: PluginContext, fileName: string, asciiName: string, format: 'csv' | 'xlsx', body: Buffer) {
  ctx.type = CONTENT_TYPES[format];
  ctx.set('Content-Disposition', attachmentHeader(fileName, asciiName, format));
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/** Import (template, upload → dry run, commit) and export of bindings. */
export function importsRoutes(imports: ImportsService, exports: ExportService, timezone: string): RouteSpec[] {
  const routes = routeTable();

  routes.get('/imports/template', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { format } = parseInput(z.object({ format: formatParam }).strict(), ctx.query, 'query');
    attachment(ctx, '门店企微绑定导入模板', 'binding-import-template', format, await templateFile(format));
  });

  /** The file is the raw request body; `fileName` in the query says CSV or XLSX. */
  routes.post('/imports', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { fileName } = parseInput(z.object({ fileName: lineText(200, { trim: true }).pipe(z.string().min(1)) }).strict(), ctx.query, 'query');
    const format = formatOf(fileName, ctx.get('Content-Type'));
    const content = await readRawBody(ctx, MAX_UPLOAD_BYTES);
    ctx.status = 202;
    ctx.body = (await imports.create(actorOf(ctx), { fileName, format, content })) satisfies ImportJobBody;
  });

  routes.get('/imports/:id', PERMISSIONS.bindingsWrite, async (ctx) => {
    ctx.body = (await imports.get(actorOf(ctx), ctx.params.id)) satisfies ImportJobBody;
  });

  routes.post('/imports/:id/commit', PERMISSIONS.bindingsWrite, async (ctx) => {
    ctx.status = 202;
    ctx.body = (await imports.commit(actorOf(ctx), ctx.params.id)) satisfies ImportJobBody;
  });

  routes.get('/exports/bindings', PERMISSIONS.bindingsRead, async (ctx) => {
    const query = parseInput(
      z.object({ format: formatParam, branchId: branchIdSchema.optional(), bound: booleanParam.optional(), visible: booleanParam.optional() }).strict(),
      ctx.query,
      'query',
    );
    const { format, ...filter } = query;
    const day = todayIn(timezone);
    attachment(ctx, `门店企微绑定_${day}`, `bindings-${day}`, format, await exports.exportBindings(actorOf(ctx), filter, format));
  });

  return routes.specs;
}
