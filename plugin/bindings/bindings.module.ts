import type { Knex } from 'knex';
import type Router from '@koa/router';
import type { Access } from '../access/access.js';
import type { PluginConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createEntriesRoutes } from '../entries/entries.routes.js';
import { createEntriesService } from '../entries/entries.service.js';
import { createEntriesStore } from '../entries/entries.store.js';
import { createBindingsRoutes } from './bindings.routes.js';
import { createBindingsService } from './bindings.service.js';
import { createBindingsStore } from './bindings.store.js';
import { createExportService } from './export.service.js';
import { createImportsRoutes } from './imports.routes.js';
import { createImportsService } from './imports.service.js';
import { createImportsStore } from './imports.store.js';
import { createLiveCodes } from './live-codes.js';
import { createMemberLookup } from './member-lookup.js';
import type { BindingsWecomApi } from './wecom-deps.js';

/** The binding workflow's services, on the plugin's shared WeCom client. */
export function createBindingServices(deps: { db: Knex; config: PluginConfig; logger: Logger; wecom: BindingsWecomApi }) {
  const { db, config, logger, wecom } = deps;
  const concurrency = Math.min(8, config.wecom.concurrency);
  const bindingsStore = createBindingsStore();
  const members = createMemberLookup({ api: wecom, concurrency });
  const liveCodes = createLiveCodes({ api: wecom, logger, concurrency });
  const entries = createEntriesService({ db, store: createEntriesStore(), bindings: bindingsStore });
  const bindings = createBindingsService({ db, store: bindingsStore, entries, members, liveCodes, logger });
  const imports = createImportsService({ db, store: createImportsStore(db), bindingsStore, bindings, members, logger });
  const exports = createExportService({ db, store: bindingsStore });
  return { bindings, entries, imports, exports };
}

export type BindingServices = ReturnType<typeof createBindingServices>;

export function createBindingFeatureRoutes(deps: { access: Access } & Pick<BindingServices, 'bindings' | 'entries' | 'imports' | 'exports'>): Router[] {
  const { access } = deps;
  return [
    createBindingsRoutes({ access, bindings: deps.bindings }),
    createEntriesRoutes({ access, entries: deps.entries }),
    createImportsRoutes({ access, imports: deps.imports, exports: deps.exports }),
  ];
}
