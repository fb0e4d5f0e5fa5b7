import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { HttpError, parseInput } from '../http/errors.js';
import type { ExportService } from './export.service.js';
import { CONTENT_TYPES, formatOf, templateFile } from './import-file.js';
import type { ImportsService } from './imports.service.js';

const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');
const formatParam = z.enum(['xlsx', 'csv']).default('xlsx');

async function readUpload(ctx: Context): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > MAX_UPLOAD_BYTES) throw new HttpError(413, 'payload_too_large', '文件不能超过 10 MB');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPLOAD_BYTES) throw new HttpError(413, 'payload_too_large', '文件不能超过 10 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function attachment(ctx: Context, fileName: string, format: 'csv' | 'xlsx', body: Buffer) {
  ctx.type = CONTENT_TYPES[format];
  ctx.set('Content-Disposition', `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_')}.${format}"; filename*=UTF-8''${encodeURIComponent(fileName)}.${format}`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}

/** Import (template, upload → dry run, commit) and export of bindings. */
export function createImportsRoutes(deps: { access: Access; imports: ImportsService; exports: ExportService }): Router {
  const { access, imports, exports } = deps;
  const router = new Router();

  router.get('/imports/template', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    const { format } = parseInput(z.object({ format: formatParam }).strict(), ctx.query, 'query');
    attachment(ctx, '门店企微绑定导入模板', format, await templateFile(format));
  });

  /** The file is the raw request body; `fileName` in the query says CSV or XLSX. */
  router.post('/imports', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    const { fileName } = parseInput(z.object({ fileName: z.string().trim().min(1).max(200) }).strict(), ctx.query, 'query');
    const format = formatOf(fileName, ctx.get('Content-Type'));
    const content = await readUpload(ctx);
    ctx.status = 202;
    ctx.body = await imports.create(actorOf(ctx), { fileName, format, content });
  });

  router.get('/imports/:id', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    ctx.body = await imports.get(actorOf(ctx), ctx.params.id);
  });

  router.post('/imports/:id/commit', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    ctx.status = 202;
    ctx.body = await imports.commit(actorOf(ctx), ctx.params.id);
  });

  router.get('/exports/bindings', access.require(PERMISSIONS.bindingsRead), async (ctx) => {
    const query = parseInput(
      z.object({ format: formatParam, branchId: z.string().min(1).max(64).optional(), bound: booleanParam.optional(), visible: booleanParam.optional() }).strict(),
      ctx.query,
      'query',
    );
    const { format, ...filter } = query;
    attachment(ctx, `门店企微绑定_${new Date().toISOString().slice(0, 10)}`, format, await exports.exportBindings(actorOf(ctx), filter, format));
  });

  return router;
}
