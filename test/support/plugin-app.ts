import type { Server } from 'node:http';
import Koa from 'koa';
import type { Knex } from 'knex';
import { createWecomStoreService, type WecomStoreService } from '../../plugin/index.js';
import type { Actor, HostAdapter, HostBranch, HostStore } from '../../plugin/host/adapter.js';
import type { PluginConfigInput } from '../../plugin/config.js';
import { silentLogger, type Logger } from '../../plugin/core/logger.js';
import { loadManifest } from '../../plugin/manifest/manifest.js';
import { TEST_WECOM } from './credentials.js';

const manifest = loadManifest();

/** An actor with a manifest role's default grants. */
export function actorWithRole(roleId: 'hq-wecom-ops' | 'branch-admin' | 'viewer', branchScope: Actor['branchScope'], id: string = roleId): Actor {
  const role = manifest.roles.find((r) => r.id === roleId)!;
  return { id, name: `${roleId} ${id}`, permissions: role.grants, branchScope };
}

/** Default actors for scope tests: HQ, an admin of B1, an admin of B2, a viewer of B1. */
export const ACTORS = {
  hq: actorWithRole('hq-wecom-ops', 'all', 'hq'),
  adminB1: actorWithRole('branch-admin', ['B1'], 'admin-b1'),
  adminB2: actorWithRole('branch-admin', ['B2'], 'admin-b2'),
  viewerB1: actorWithRole('viewer', ['B1'], 'viewer-b1'),
};

/** An in-memory host directory the test can change between syncs. */
export class FixtureDirectory {
  branches: HostBranch[] = [];
  stores: HostStore[] = [];
  listBranches = async () => [...this.branches];
  listStores = async ({ cursor, limit }: { cursor: string | null; limit: number }) => {
    const sorted = [...this.stores].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const start = cursor ? sorted.findIndex((s) => s.id > cursor) : 0;
    const items = start < 0 ? [] : sorted.slice(start, start + limit);
    const more = start >= 0 && start + limit < sorted.length;
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  };
}

/** The plugin's `wecom` config in tests: the shared test credentials, WeCom unreachable unless a test says otherwise. */
export const TEST_WECOM_CONFIG = { apiBaseUrl: 'http://127.0.0.1:1', ...TEST_WECOM };

export interface TestPlugin {
  service: WecomStoreService;
  directory: FixtureDirectory;
  url: string;
  /** Calls a plugin route as an actor (header X-Test-Actor → ACTORS key or a registered actor id). */
  request(path: string, opts?: { actor?: Actor | null; method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Mounts the plugin in a bare Koa host on a free port, with a fixture host adapter. */
export async function startTestPlugin(opts: { db: Knex; config?: Partial<PluginConfigInput>; logger?: Logger; directory?: FixtureDirectory }): Promise<TestPlugin> {
  const directory = opts.directory ?? new FixtureDirectory();
  const actors = new Map<string, Actor>();
  const host: HostAdapter = {
    authenticate: (ctx) => actors.get(ctx.get('X-Test-Actor')) ?? null,
    directory,
  };
  const service = createWecomStoreService({
    db: opts.db,
    host,
    logger: opts.logger ?? silentLogger,
    config: { wecom: TEST_WECOM_CONFIG, ...opts.config },
  });
  await service.migrate();
  const app = new Koa();
  app.use(service.middleware);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    service,
    directory,
    url,
    async request(path, r = {}) {
      const headers: Record<string, string> = { ...r.headers };
      if (r.actor) {
        actors.set(r.actor.id, r.actor);
        headers['X-Test-Actor'] = r.actor.id;
      }
      let body: string | undefined;
      if (r.body !== undefined) {
        body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${service.config.routesPrefix}${path}`, { method: r.method ?? 'GET', headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await service.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
