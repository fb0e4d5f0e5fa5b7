import type { PluginContext, PluginMiddleware } from '../core/feature.js';

/** Public customer routes are called from the host's shop pages on any origin; no credentials. */
export function setPublicCors(ctx: PluginContext): void {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  ctx.set('Access-Control-Allow-Headers', 'Content-Type');
  ctx.set('Access-Control-Max-Age', '600');
}

export const publicCors: PluginMiddleware = async (ctx, next) => {
  setPublicCors(ctx);
  await next();
};

/** Answers a CORS preflight of a public route. */
export const preflight: PluginMiddleware = (ctx) => {
  setPublicCors(ctx);
  ctx.status = 204;
};
