import { routeTable, type RouteSpec } from '../core/feature.js';
import { readJsonBody } from '../http/body.js';
import { publicCors } from '../http/cors.js';
import type { IngestResult } from '../contract/index.js';
import { MAX_BATCH_BYTES } from './tracking.schema.js';
import type { TrackingService } from './tracking.service.js';

/** Public event ingestion: POST /public/events `{ events: [...] }`, ≤100 events, ≤64 KB. */
export function trackingRoutes(tracking: TrackingService): RouteSpec[] {
  const routes = routeTable();
  routes.post('/public/events', 'public', publicCors, async (ctx) => {
    const body = await readJsonBody(ctx, MAX_BATCH_BYTES, { strings: 'schema' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (await tracking.ingest(body, ctx.ip)) satisfies IngestResult;
  });
  return routes.specs;
}
