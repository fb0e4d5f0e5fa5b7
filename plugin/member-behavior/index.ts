/**
 * Member behaviour data: a daily pull of WeCom's get_user_behavior_data per bound member (yesterday,
 * Beijing time, re-pulled once later in the day) and a drift report that sets WeCom's new contacts
 * beside the adds the plugin received through callbacks.
 */
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Feature } from '../core/feature.js';
import { routeTable } from '../core/feature.js';
import type { Logger } from '../core/logger.js';
import { PERMISSIONS } from '../core/permissions.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import type { BehaviorDriftBody } from '../contract/index.js';
import { createContactAddCounter } from '../wecom-callbacks/index.js';
import { createMemberBehaviorService, type BehaviorWecomApi, type MemberBehaviorService } from './member-behavior.service.js';

export type { BehaviorPullReport, BehaviorWecomApi, MemberBehaviorService } from './member-behavior.service.js';

const driftQuery = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional() }).strict();

export function createMemberBehaviorFeature(deps: { db: Knex; wecom: BehaviorWecomApi; logger: Logger }): Feature<MemberBehaviorService> {
  const service = createMemberBehaviorService({ db: deps.db, wecom: deps.wecom, adds: createContactAddCounter(deps.db), logger: deps.logger });
  const routes = routeTable();
  routes.get('/member-behavior/drift', PERMISSIONS.capacityRead, async (ctx) => {
    const { day } = parseInput(driftQuery, ctx.query, 'query');
    ctx.body = (await service.drift(actorOf(ctx), day)) satisfies BehaviorDriftBody;
  });
  return { service, routes: routes.specs, jobs: [{ id: 'member-behavior-pull', run: (signal) => service.pull(signal) }] };
}
