import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { z } from 'zod';
import type { Access } from '../access/access.js';
import { actorOf } from '../access/access.js';
import { PERMISSIONS } from '../access/permissions.js';
import { parseInput } from '../http/errors.js';
import type { BindingsService } from './bindings.service.js';

/** A WeCom member userid: 1–64 letters, digits, `_`, `-`, `.`, `@`. */
export const useridSchema = z
  .string()
  .trim()
  .min(1, '请输入企微账号')
  .max(64, '企微账号最长 64 个字符')
  .regex(/^[A-Za-z0-9_.@-]+$/, '企微账号只能包含字母、数字和 _ - . @');
export const storeIdSchema = z.string().min(1).max(64);
const reasonSchema = z.string().trim().max(200).optional();

const bindBody = z.object({ userid: useridSchema, role: z.enum(['primary', 'backup']).default('primary'), reason: reasonSchema }).strict();
const primaryBody = z.object({ userid: useridSchema, mode: z.enum(['rebind', 'replace']), reason: reasonSchema }).strict();
const sharingBody = z.object({ allowed: z.boolean() }).strict();
const storeParams = z.object({ storeId: storeIdSchema }).loose();

export const jsonBody = () => bodyParser({ enableTypes: ['json'], jsonLimit: '1mb' });

export function createBindingsRoutes(deps: { access: Access; bindings: BindingsService }): Router {
  const { access, bindings } = deps;
  const router = new Router();

  router.get('/me', access.require(PERMISSIONS.bindingsRead), (ctx) => {
    const actor = actorOf(ctx);
    ctx.body = { id: actor.id, name: actor.name, permissions: actor.permissions, branchScope: actor.branchScope };
  });

  router.get('/stores/:storeId/bindings', access.require(PERMISSIONS.bindingsRead), async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    ctx.body = await bindings.detail(actorOf(ctx), storeId);
  });

  router.get('/stores/:storeId/history', access.require(PERMISSIONS.bindingsRead), async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    ctx.body = await bindings.history(actorOf(ctx), storeId);
  });

  router.post('/stores/:storeId/bindings', access.require(PERMISSIONS.bindingsWrite), jsonBody(), async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    const body = parseInput(bindBody, ctx.request.body ?? {}, 'body');
    ctx.body = await bindings.bind(actorOf(ctx), storeId, body);
  });

  router.put('/stores/:storeId/primary', access.require(PERMISSIONS.bindingsWrite), jsonBody(), async (ctx) => {
    const { storeId } = parseInput(storeParams, ctx.params, 'path');
    const body = parseInput(primaryBody, ctx.request.body ?? {}, 'body');
    ctx.body = await bindings.setPrimary(actorOf(ctx), storeId, body);
  });

  router.delete('/stores/:storeId/bindings/:userid', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    const { storeId, userid } = parseInput(z.object({ storeId: storeIdSchema, userid: useridSchema }).loose(), ctx.params, 'path');
    const { reason } = parseInput(z.object({ reason: reasonSchema }).strict(), ctx.query, 'query');
    ctx.body = await bindings.unbind(actorOf(ctx), storeId, userid, reason);
  });

  router.get('/accounts/:userid/check', access.require(PERMISSIONS.bindingsWrite), async (ctx) => {
    const { userid } = parseInput(z.object({ userid: useridSchema }).loose(), ctx.params, 'path');
    const { storeId } = parseInput(z.object({ storeId: storeIdSchema.optional() }).strict(), ctx.query, 'query');
    ctx.body = await bindings.checkAccount(actorOf(ctx), userid, storeId);
  });

  router.put('/accounts/:userid/sharing', access.require(PERMISSIONS.bindingsShare), jsonBody(), async (ctx) => {
    const { userid } = parseInput(z.object({ userid: useridSchema }).loose(), ctx.params, 'path');
    const { allowed } = parseInput(sharingBody, ctx.request.body ?? {}, 'body');
    ctx.body = await bindings.setSharing(actorOf(ctx), userid, allowed);
  });

  return router;
}
