import type { RouterContext, RouterMiddleware } from '@koa/router';
import type { Actor } from '../host/adapter.js';
import type { PermissionId } from './permissions.js';

/** What the plugin keeps per request on `ctx.state` (and nothing else). */
export interface PluginState {
  requestId: string;
  /** Set by the route guard once the host authenticated the caller. */
  actor?: Actor;
}

export type PluginContext = RouterContext<PluginState>;
export type PluginMiddleware = RouterMiddleware<PluginState>;

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';

/**
 * One route of a feature, as data: the plugin router registers it behind its permission guard, and
 * the route table answers "which permission guards this path" without reading router internals.
 * `public` routes are called by customers, by WeCom (signed) or by the browser loading assets.
 */
export interface RouteSpec {
  method: RouteMethod;
  /** Relative to the routes prefix, in path-to-regexp v8 syntax. */
  path: string;
  access: PermissionId | 'public';
  handlers: PluginMiddleware[];
}

type AddRoute = (path: string, access: PermissionId | 'public', ...handlers: PluginMiddleware[]) => void;

/** Collects a feature's routes: `routes.get('/stores', PERMISSIONS.bindingsRead, handler)`. */
export function routeTable(): { get: AddRoute; post: AddRoute; put: AddRoute; delete: AddRoute; options: AddRoute; specs: RouteSpec[] } {
  const specs: RouteSpec[] = [];
  const add = (method: RouteMethod): AddRoute => (path, access, ...handlers) => void specs.push({ method, path, access, handlers });
  return { get: add('GET'), post: add('POST'), put: add('PUT'), delete: add('DELETE'), options: add('OPTIONS'), specs };
}

/**
 * A scheduled job of a feature: its id (manifest.json `jobs`), and the one service call it makes.
 * `run` must stop early when the signal aborts.
 */
export interface JobDeclaration {
  id: string;
  run(signal: AbortSignal): Promise<unknown>;
}

/** What every `create<Feature>Feature(deps)` returns. */
export interface Feature<Service> {
  service: Service;
  routes: RouteSpec[];
  jobs: JobDeclaration[];
  /**
   * Starts background work and proves it works through the configured connections (plugin start);
   * throws a StartupError naming the setting to change when it cannot.
   */
  start?(): Promise<void>;
  /** Waits for background work and releases resources (plugin close). */
  close?(): Promise<void>;
}
