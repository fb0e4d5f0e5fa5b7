import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import type { Actor } from '../../plugin/host/adapter.js';

// Every plugin route that customers or WeCom do not call checks a permission before it
// reads its input. Found by walking the plugin router, so a route added later is covered too.
let db: TestDatabase;
let plugin: TestPlugin;
beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
});
afterAll(async () => {
  await plugin?.close();
  await db?.destroy();
});

interface RouteLayer {
  path: string;
  methods: string[];
}

const PUBLIC_PREFIXES = ['/public', '/assets', '/wecom/callback'];
const CATCH_ALL = '/{*rest}';

/** Every route (a layer with methods) of the plugin router, as `METHOD /path` without the prefix. */
function routes(): { method: string; path: string }[] {
  const prefix = plugin.service.config.routesPrefix;
  const layers = (plugin.service.router as unknown as { stack: RouteLayer[] }).stack;
  return layers
    .filter((layer) => layer.methods.length > 0)
    .map((layer) => ({ path: layer.path.slice(prefix.length), methods: layer.methods }))
    .filter((layer) => layer.path !== CATCH_ALL)
    .flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').map((method) => ({ method, path: layer.path })));
}

const isPublic = (path: string) => PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
/** `/stores/:storeId/bindings/:userid` → `/stores/x1/bindings/x2` (valid for every param schema). */
const concrete = (path: string) => {
  let n = 0;
  return path.replace(/:[A-Za-z_]+/g, () => `x${++n}`);
};

const guarded = () => routes().filter((r) => !isPublic(r.path));
const writes = () => guarded().filter((r) => r.method !== 'GET');
const noPermissions: Actor = { id: 'nobody', name: 'no grants', permissions: [], branchScope: 'all' };

describe('every non-public plugin route requires a permission', () => {
  it('finds the routes of every feature (the walk is not empty)', () => {
    const paths = guarded().map((r) => `${r.method} ${r.path}`);
    for (const expected of ['GET /stores', 'POST /stores/:storeId/bindings', 'PUT /stores/:storeId/entry', 'POST /imports', 'GET /stats/overview', 'PUT /capacity/accounts/:id/limit', 'POST /alerts/robots/:robotId/test', 'POST /reviews/decisions', 'GET /members', 'GET /operation-log']) {
      expect(paths).toContain(expected);
    }
    expect(routes().filter((r) => isPublic(r.path)).length).toBeGreaterThan(0);
  });

  it('answers 401 without an actor, before reading any input', async () => {
    const seen: Record<string, unknown> = {};
    for (const route of guarded()) {
      const res = await plugin.request(concrete(route.path), { actor: null, method: route.method });
      seen[`${route.method} ${route.path}`] = `${res.status} ${res.body?.error?.code}`;
    }
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, '401 unauthenticated'])));
  });

  it('answers 403 missing_permission to a signed-in actor without grants (a guard, not only actorOf)', async () => {
    const seen: Record<string, unknown> = {};
    for (const route of guarded()) {
      const res = await plugin.request(concrete(route.path), { actor: noPermissions, method: route.method });
      seen[`${route.method} ${route.path}`] = `${res.status} ${res.body?.error?.code}`;
    }
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, '403 missing_permission'])));
  });

  it('refuses every write to a viewer (read-only role) with 403 and changes nothing', async () => {
    expect(writes().length).toBeGreaterThanOrEqual(10);
    const audit = async () => (await db.knex('wss_audit_log').count({ n: '*' }))[0].n;
    const before = await audit();
    const seen: Record<string, unknown> = {};
    for (const route of writes()) {
      const res = await plugin.request(concrete(route.path), { actor: ACTORS.viewerB1, method: route.method, body: {} });
      seen[`${route.method} ${route.path}`] = `${res.status} ${res.body?.error?.code}`;
    }
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, '403 missing_permission'])));
    expect(await audit()).toEqual(before);
  });
});
