import type { Knex } from 'knex';
import type { PluginConfig } from './config.js';
import type { HostAdapter } from './host/adapter.js';
import type { Logger } from './logger.js';
import { createDirectoryStore } from './directory/directory.store.js';
import { createDirectoryService } from './directory/directory.service.js';

/** Every feature service, built once from the plugin's dependencies. Routes and jobs take these. */
export function createServices(deps: { db: Knex; host: HostAdapter; config: PluginConfig; logger: Logger }) {
  const { db, host, logger } = deps;
  const directory = createDirectoryService({ db, store: createDirectoryStore(db), directory: host.directory, logger });
  return { directory };
}

export type PluginServices = ReturnType<typeof createServices>;
