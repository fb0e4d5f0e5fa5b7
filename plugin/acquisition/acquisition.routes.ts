import { z } from 'zod';
import { PERMISSIONS } from '../core/permissions.js';
import { routeTable, type RouteSpec } from '../core/feature.js';
import { storeIdSchema } from '../core/ids.js';
import { actorOf } from '../access/access.js';
import { parseInput } from '../http/error-handler.js';
import { readJsonObject } from '../http/body.js';
import type { AcquisitionStatusBody, GuideModeBody } from '../contract/index.js';
import type { AcquisitionService } from './acquisition.service.js';

const guideModeBody = z
  .object({
    storeIds: z.array(storeIdSchema).min(1).max(500),
    mode: z.enum(['mini_program', 'link']),
  })
  .strict();

export function acquisitionRoutes(acquisition: AcquisitionService): RouteSpec[] {
  const routes = routeTable();

  /** Quota and what each link-mode store of the actor's scope shows now. */
  routes.get('/acquisition/status', PERMISSIONS.capacityRead, async (ctx) => {
    ctx.body = (await acquisition.status(actorOf(ctx))) satisfies AcquisitionStatusBody;
  });

  /** HQ chooses how the guide adds the store account: the mini program + QR, or the acquisition link. */
  routes.put('/acquisition/guide-mode', PERMISSIONS.entriesToggle, async (ctx) => {
    const body = parseInput(guideModeBody, await readJsonObject(ctx, 64 * 1024), 'body');
    ctx.body = (await acquisition.setGuideMode(actorOf(ctx), body.storeIds, body.mode)) satisfies GuideModeBody;
  });

  return routes.specs;
}
