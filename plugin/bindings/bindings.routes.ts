import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { booleanParam, branchIdSchema, reasonSchema, searchSchema, storeIdSchema, useridSchema } from '../core/ids.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type {
  AccountCheckBody, BindingChangeBody, SharingBody, StoreDetailBody, StoreHistoryBody, StoreListBody, StoreAccountBody,
} from '../contract/index.js';
import type { BindingsService } from './bindings.service.js';

/** `confirm`: the person saw that the account is at or over the warning level and binds it anyway. */
const confirmFlag = z.boolean().optional();
const bindBody = z.object({ userid: useridSchema, role: z.enum(['primary', 'backup']).default('primary'), reason: reasonSchema, confirm: confirmFlag }).strict();
const primaryBody = z.object({ userid: useridSchema, mode: z.enum(['rebind', 'replace']), reason: reasonSchema, confirm: confirmFlag }).strict();
const sharingBody = z.object({ allowed: z.boolean() }).strict();
const storeParams = z.object({ storeId: storeIdSchema }).loose();
const BODY_LIMIT = 1024 * 1024;

const storeListQuery = z
  .object({
    branchId: branchIdSchema.optional(),
    bound: booleanParam.optional(),
    visible: booleanParam.optional(),
    open: booleanParam.optional(),
    q: searchSchema().optional().transform((v) => v || undefined),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export function bindingsRoutes(bindings: BindingsService): RouteSpec[] {
  const routes = routeTable();

  routes.get('/stores', PERMISSIONS.bindingsRead, async (ctx) => {
    const filter = parseInput(storeListQuery, ctx.query, 'query');
    ctx.body = (await bindings.listStores(actorOf(ctx), filter)) satisfies StoreListBody;
  });

  routes.get('/stores/:storeId/bindings', PERMISSIONS.bindingsRead, async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    ctx.body = (await bindings.detail(actorOf(ctx), storeId)) satisfies StoreDetailBody;
  });

  routes.get('/stores/:storeId/account', PERMISSIONS.bindingsRead, async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    ctx.set('Cache-Control', 'private, no-cache');
    ctx.body = (await bindings.storeAccountFor(actorOf(ctx), storeId)) satisfies StoreAccountBody;
  });

  routes.get('/stores/:storeId/history', PERMISSIONS.bindingsRead, async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    ctx.body = (await bindings.history(actorOf(ctx), storeId)) satisfies StoreHistoryBody;
  });

  routes.post('/stores/:storeId/bindings', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    const body = parseInput(bindBody, await readJsonObject(ctx, BODY_LIMIT), 'body');
    ctx.body = (await bindings.bind(actorOf(ctx), storeId, body)) satisfies BindingChangeBody;
  });

  routes.put('/stores/:storeId/primary', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    const body = parseInput(primaryBody, await readJsonObject(ctx, BODY_LIMIT), 'body');
    ctx.body = (await bindings.setPrimary(actorOf(ctx), storeId, body)) satisfies BindingChangeBody;
  });

  routes.delete('/stores/:storeId/bindings/:userid', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { storeId, userid } = parseInput(z.object({ storeId: storeIdSchema, userid: useridSchema }).loose(), ctx.params, 'path');
    const { reason } = parseInput(z.object({ reason: reasonSchema }).strict(), ctx.query, 'query');
    ctx.body = (await bindings.unbind(actorOf(ctx), storeId, userid, reason)) satisfies BindingChangeBody;
  });

  routes.get('/accounts/:userid/check', PERMISSIONS.bindingsWrite, async (ctx) => {
    const { userid } = parseInput(z.object({ userid: useridSchema }).loose(), ctx.params, 'path');
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema.optional() }).strict(), ctx.query, 'query');
    ctx.body = (await bindings.checkAccount(actorOf(ctx), userid, storeId)) satisfies AccountCheckBody;
  });

  routes.put('/accounts/:userid/sharing', PERMISSIONS.bindingsShare, async (ctx) => {
    const { userid } = parseInput(z.object({ userid: useridSchema }).loose(), ctx.params, 'path');
    const { allowed } = parseInput(sharingBody, await readJsonObject(ctx, BODY_LIMIT), 'body');
    ctx.body = (await bindings.setSharing(actorOf(ctx), userid, allowed)) satisfies SharingBody;
  });

  return routes.specs;
}
