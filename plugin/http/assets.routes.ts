import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { notFound } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { routeTable, type RouteSpec } from '../core/feature.js';

const ELEMENTS_BUNDLE = path.join(PACKAGE_ROOT, 'web-components', 'dist', 'wss-elements.js');

/** Serves the built Lit elements bundle the host embeds (`npm run build:web` writes it). */
export function assetsRoutes(elementsPath: string): RouteSpec[] {
  const routes = routeTable();
  routes.get(elementsPath, 'public', async (ctx) => {
    const info = await stat(ELEMENTS_BUNDLE).catch(() => null);
    if (!info) throw notFound('elements bundle not built: run `npm run build:web`', 'bundle_missing');
    const etag = `W/"${info.size.toString(16)}-${info.mtimeMs.toString(16)}"`;
    ctx.set('ETag', etag);
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.type = 'text/javascript; charset=utf-8';
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = await readFile(ELEMENTS_BUNDLE);
  });
  return routes.specs;
}
