/**
 * Directory: the host's branches and stores mirrored into wss_branches / wss_stores (job
 * `directory-sync`), and the branch list people pick from. A store the host closes or no longer
 * lists is closed here, never deleted; features that react to that subscribe as StoresClosedListener.
 */
import type { Knex } from 'knex';
import type { HostDirectory } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import type { Feature } from '../core/feature.js';
import { createDirectoryService, type DirectoryService, type StoresClosedListener } from './directory.service.js';
import { createDirectoryStore } from './directory.store.js';
import { directoryRoutes } from './directory.routes.js';

export type { DirectoryService, DirectorySyncResult, StoresClosedListener } from './directory.service.js';

export function createDirectoryFeature(deps: {
  db: Knex;
  directory: HostDirectory;
  logger: Logger;
  storesClosed: StoresClosedListener[];
  timezone?: string;
}): Feature<DirectoryService> {
  const service = createDirectoryService({ ...deps, store: createDirectoryStore(deps.db) });
  return {
    service,
    routes: directoryRoutes(service),
    jobs: [{ id: 'directory-sync', run: (signal) => service.sync(signal) }],
  };
}
