/**
 * Member directory: the WeCom members the app may see, read department by department from its
 * visible range (job `member-directory-sync`, or on demand when the cache is old) and cached with
 * their names and statuses, so the bind dialog's member picker searches by name or userid.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import type { Feature } from '../core/feature.js';
import { createMemberDirectoryService, type DirectoryWecomApi, type MemberDirectoryService } from './member-directory.service.js';
import { createMemberDirectoryStore } from './member-directory.store.js';
import { memberDirectoryRoutes } from './member-directory.routes.js';

export type { DirectoryWecomApi, MemberDirectoryService, MemberDirectorySyncReport } from './member-directory.service.js';

export function createMemberDirectoryFeature(deps: { db: Knex; wecom: DirectoryWecomApi; logger: Logger }): Feature<MemberDirectoryService> {
  const service = createMemberDirectoryService({ store: createMemberDirectoryStore(deps.db), api: deps.wecom, logger: deps.logger });
  return {
    service,
    routes: memberDirectoryRoutes(service),
    jobs: [{ id: 'member-directory-sync', run: (signal) => service.sync(signal) }],
  };
}
