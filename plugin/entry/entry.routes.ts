import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { HttpError, notFound, parseInput } from '../http/errors.js';
import { createWindowCounter } from '../tracking/rate-limit.js';
import { readJsonBody } from '../tracking/tracking.routes.js';
import type { EntryService } from './entry.service.js';
import { guidePageHtml } from './guide-page.js';
import type { GuideService } from './guide.service.js';

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . : -');
const clientType = z.enum(['app', 'miniprogram', 'h5']);

const guideQuery = z.object({
  store: id,
  visitor: id.optional(),
  order: id.optional(),
  client: clientType.optional(),
  lang: z.enum(['zh-CN', 'en']).optional(),
});

const startVisitBody = z
  .object({ storeId: id, visitorId: id, orderId: id.optional(), clientType: clientType.default('h5') })
  .strict();

/** Public customer routes: no actor, read-only except starting a guide visit. */
export function setPublicCors(ctx: Context): void {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  ctx.set('Access-Control-Allow-Headers', 'Content-Type');
  ctx.set('Access-Control-Max-Age', '600');
}

async function answerEntry(ctx: Context, entry: EntryService, storeId: string): Promise<void> {
  const cached = await entry.getEntry(storeId);
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

const ENTRY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Fast path for the hottest public route (every paid order): `GET {prefix}/public/entry/<id>` with a
 * well-formed id is answered before the plugin router, which would match it against every route
 * layer and run the shared middlewares (0.47× a bare Koa route that way, 0.8–1.0× this way; see
 * bench/entry-endpoint.ts). Same answer as the routed one: X-Request-Id (as the plugin router sets
 * it), CORS, Cache-Control, ETag / 304. Anything else (other methods, encoded or malformed ids,
 * trailing slash, other case) and any error go on to the router, which answers as before.
 */
export function createEntryFastPath(deps: { entry: EntryService; prefix: string }): Middleware {
  const head = `${deps.prefix.replace(/\/+$/, '')}/public/entry/`;
  return async (ctx, next) => {
    if (ctx.method !== 'GET' || !ctx.path.startsWith(head)) return next();
    const storeId = ctx.path.slice(head.length);
    if (!ENTRY_ID.test(storeId)) return next();
    try {
      ctx.state.requestId = ctx.get('X-Request-Id') || randomUUID();
      ctx.set('X-Request-Id', ctx.state.requestId as string);
      setPublicCors(ctx);
      await answerEntry(ctx, deps.entry, storeId);
    } catch {
      // The router's error handler gives the usual JSON error (the read is retried there).
      return next();
    }
  };
}

export function createEntryRoutes(deps: {
  entry: EntryService;
  guide: GuideService;
  apiBase: string;
  elementsUrl: string;
  guideVisitsPerIpPerMinute: number;
}): Router {
  const { entry, guide } = deps;
  const router = new Router();
  const visitLimiter = createWindowCounter(deps.guideVisitsPerIpPerMinute);

  router.use('/public/{*rest}', async (ctx, next) => {
    setPublicCors(ctx);
    await next();
  });
  router.options('/public/{*rest}', (ctx) => {
    ctx.status = 204;
  });

  /** Hit on every paid order: cached, invalidated by NOTIFY, revalidated with the ETag (see also createEntryFastPath). */
  router.get('/public/entry/:storeId', async (ctx) => {
    await answerEntry(ctx, entry, parseInput(id, ctx.params.storeId, 'store id'));
  });

  router.get('/public/guide', (ctx) => {
    const query = parseInput(guideQuery, ctx.query, 'query');
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
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

  router.post('/public/guide-visits', async (ctx) => {
    const input = parseInput(startVisitBody, await readJsonBody(ctx, 4096), 'guide visit');
    // Each visit may lease a contact way for the lease window: guard the pool against floods.
    if (!visitLimiter.take(ctx.ip)) throw new HttpError(429, 'rate_limited', '请求过于频繁 (too many guide visits)');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await guide.startVisit(input);
  });

  router.get('/public/guide-visits/:id', async (ctx) => {
    const visitId = parseInput(id, ctx.params.id, 'guide visit id');
    const view = await guide.getVisit(visitId);
    if (!view) throw notFound('没有该引导访问 (unknown guide visit)', 'guide_visit_not_found');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = view;
  });

  return router;
}
