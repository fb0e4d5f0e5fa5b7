import { z } from 'zod';
import { notFound, rateLimited } from '../core/errors.js';
import { routeTable, type PluginContext, type PluginMiddleware, type RouteSpec } from '../core/feature.js';
import { PUBLIC_ID, publicIdSchema } from '../core/ids.js';
import { createWindowCounter } from '../core/window-counter.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import { requestIdOf } from '../http/plugin-router.js';
import { preflight, publicCors, setPublicCors } from '../http/cors.js';
import type { GuideVisitView } from '../contract/index.js';
import type { EntryService } from './entry.service.js';
import { guideErrorHtml, guidePageHtml } from './guide-page.js';
import type { GuideService } from './guide.service.js';

const clientType = z.enum(['app', 'miniprogram', 'h5']);

const guideQuery = z.object({
  store: publicIdSchema,
  visitor: publicIdSchema.optional(),
  order: publicIdSchema.optional(),
  client: clientType.optional(),
  lang: z.enum(['zh-CN', 'en']).optional(),
});

const startVisitBody = z
  .object({ storeId: publicIdSchema, visitorId: publicIdSchema, orderId: publicIdSchema.optional(), clientType: clientType.default('h5') })
  .strict();

async function answerEntry(ctx: PluginContext, entry: EntryService, storeId: string): Promise<void> {
  const cached = await entry.read(storeId);
  // no-cache: clients and CDNs may keep it but must revalidate, so a hidden entry is never shown stale.
  ctx.set('Cache-Control', 'public, no-cache');
  ctx.set('ETag', cached.etag);
  if (ctx.get('If-None-Match') === cached.etag) {
    ctx.status = 304;
    return;
  }
  ctx.type = 'application/json; charset=utf-8';
  ctx.body = cached.body;
}

/**
 * Fast path for the hottest public route (every paid order): `GET {prefix}/public/entry/<id>` with a
 * well-formed id is answered before the plugin router, which would match it against every route
 * layer and run the shared middlewares (bench/entry-endpoint.ts measures both). Same answer as the
 * routed one: X-Request-Id (as the plugin router sets it), CORS, Cache-Control, ETag / 304. Anything
 * else (other methods, encoded or malformed ids, trailing slash, other case) and any error go on to
 * the router, which answers as before.
 */
export function createEntryFastPath(deps: { entry: EntryService; prefix: string }): PluginMiddleware {
  const head = `${deps.prefix.replace(/\/+$/, '')}/public/entry/`;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith(head)) return next();
    const storeId = ctx.path.slice(head.length);
    if (!PUBLIC_ID.test(storeId)) return next();
    try {
      ctx.state.requestId = requestIdOf(ctx);
      ctx.set('X-Request-Id', ctx.state.requestId);
      setPublicCors(ctx);
      await answerEntry(ctx, deps.entry, storeId);
    } catch {
      // The router's error handler gives the usual JSON error (the read is retried there).
      return next();
    }
  };
}

/** Public customer routes: no actor, read-only except starting a guide visit. */
export function customerPathRoutes(deps: {
  entry: EntryService;
  guide: GuideService;
  apiBase: string;
  elementsUrl: string;
  guideVisitsPerIpPerMinute: number;
}): RouteSpec[] {
  const { entry, guide } = deps;
  const routes = routeTable();
  const visitLimiter = createWindowCounter(deps.guideVisitsPerIpPerMinute);

  routes.options('/public/{*rest}', 'public', preflight);

  /** Hit on every paid order: cached, invalidated by NOTIFY, revalidated with the ETag (see also createEntryFastPath). */
  routes.get('/public/entry/:storeId', 'public', publicCors, async (ctx) => {
    await answerEntry(ctx, entry, parseInput(publicIdSchema, ctx.params.storeId, 'store id'));
  });

  routes.get('/public/guide', 'public', publicCors, (ctx) => {
    const parsed = guideQuery.safeParse(ctx.query);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = guideErrorHtml(ctx.query.lang === 'en' ? 'en' : undefined);
      return;
    }
    const query = parsed.data;
    ctx.body = guidePageHtml({
      apiBase: deps.apiBase,
      elementsUrl: deps.elementsUrl,
      storeId: query.store,
      visitorId: query.visitor,
      orderId: query.order,
      clientType: query.client,
      lang: query.lang,
    });
  });

  routes.post('/public/guide-visits', 'public', publicCors, async (ctx) => {
    const input = parseInput(startVisitBody, await readJsonObject(ctx, 4096), 'guide visit');
    // Each visit may lease a contact way for the lease window: guard the pool against floods.
    if (!visitLimiter.take(ctx.ip)) throw rateLimited('请求过于频繁 (too many guide visits)');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await guide.startVisit({ ...input, requester: ctx.ip })) satisfies GuideVisitView;
  });

  routes.get('/public/guide-visits/:id', 'public', publicCors, async (ctx) => {
    const visitId = parseInput(publicIdSchema, ctx.params.id, 'guide visit id');
    const view = await guide.getVisit(visitId);
    if (!view) throw notFound('没有该引导访问 (unknown guide visit)', 'guide_visit_not_found');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = view satisfies GuideVisitView;
  });

  return routes.specs;
}

