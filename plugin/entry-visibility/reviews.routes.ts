import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { branchIdSchema, reasonSchema, rowIdSchema, storeIdSchema } from '../core/ids.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { ReviewDecisionBody, ReviewListBody, ReviewResubmitBody, ReviewSummaryBody } from '../contract/index.js';
import type { ReviewsApi } from './reviews.service.js';

const listQuery = z
  .object({
    kind: z.enum(['pending', 'returned', 'decided']).default('pending'),
    branchId: branchIdSchema.optional(),
    storeId: storeIdSchema.optional(),
    olderThanHours: z.coerce.number().int().min(0).max(24 * 365).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const decisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    items: z.array(z.object({ reviewId: rowIdSchema, revision: z.number().int().min(1) }).strict()).min(1).max(500),
    show: z.boolean().optional(),
    reason: reasonSchema,
  })
  .strict();

/** HQ's review queue (read by every role in its scope) and its decisions (`reviews:decide`). */
export function reviewsRoutes(reviews: ReviewsApi): RouteSpec[] {
  const routes = routeTable();

  routes.get('/reviews', PERMISSIONS.bindingsRead, async (ctx) => {
    const filter = parseInput(listQuery, ctx.query, 'query');
    ctx.body = (await reviews.listReviews(actorOf(ctx), filter)) satisfies ReviewListBody;
  });

  /** The count a host shows in its navigation. */
  routes.get('/reviews/summary', PERMISSIONS.bindingsRead, async (ctx) => {
    ctx.body = (await reviews.reviewSummary(actorOf(ctx))) satisfies ReviewSummaryBody;
  });

  routes.post('/reviews/decisions', PERMISSIONS.reviewsDecide, async (ctx) => {
    const body = parseInput(decisionBody, await readJsonObject(ctx, 256 * 1024), 'body');
    ctx.body = (await reviews.decideReviews(actorOf(ctx), body)) satisfies ReviewDecisionBody;
  });

  routes.post('/stores/:storeId/review/resubmit', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema }).loose(), ctx.params, 'path');
    ctx.body = { review: await reviews.resubmitReview(actorOf(ctx), storeId) } satisfies ReviewResubmitBody;
  });

  return routes.specs;
}
