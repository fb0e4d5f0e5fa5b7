import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';

// Route × role for every route of the review workflow, the member picker and the operation log.
let world: BindingsWorld;
let review: { id: string; revision: number };
beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 3 });
  for (const [storeId, userid] of [['S101', 'u_s101'], ['S102', 'u_s102']]) {
    expect((await world.plugin.request(`/stores/${storeId}/bindings`, { actor: ACTORS.adminB1, method: 'POST', body: { userid } })).status).toBe(200);
  }
  const item = (await world.plugin.request('/reviews?storeId=S101', { actor: ACTORS.hq })).body.items[0];
  review = { id: item.id, revision: item.revision };
});
afterAll(() => world?.close());

type Who = keyof typeof ACTORS | 'anonymous';
const READ = { anonymous: 401, viewerB1: 200, adminB2: 403, adminB1: 200, hq: 200 };
const HQ_ONLY = { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 403, hq: 200 };

describe('every review, member and operation-log route checks its permission and the branch scope', () => {
  const cases: { name: string; method: string; path: () => string; body?: () => unknown; expect: Record<Who, number> }[] = [
    { name: 'review queue of a branch', method: 'GET', path: () => '/reviews?branchId=B1', expect: READ },
    { name: 'returned stores of a branch', method: 'GET', path: () => '/reviews?kind=returned&branchId=B1', expect: READ },
    { name: 'review count', method: 'GET', path: () => '/reviews/summary', expect: { anonymous: 401, viewerB1: 200, adminB2: 200, adminB1: 200, hq: 200 } },
    { name: 'review decision', method: 'POST', path: () => '/reviews/decisions', body: () => ({ decision: 'approve', items: [{ reviewId: review.id, revision: review.revision }] }), expect: HQ_ONLY },
    // Nothing was returned: the branch's own admin and HQ pass the guard and get 409; B2's admin is out of scope.
    { name: 'resubmit', method: 'POST', path: () => '/stores/S102/review/resubmit', expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 409, hq: 409 } },
    { name: 'member picker', method: 'GET', path: () => '/members?q=u_s1', expect: { anonymous: 401, viewerB1: 403, adminB2: 200, adminB1: 200, hq: 200 } },
    { name: 'operation log of a branch', method: 'GET', path: () => '/operation-log?branchId=B1', expect: READ },
    { name: 'operation log export of a branch', method: 'GET', path: () => '/exports/operation-log?branchId=B1&format=csv', expect: READ },
    { name: 'bulk show of the eligible', method: 'POST', path: () => '/entries/visibility', body: () => ({ storeIds: ['S102', 'S103'], visible: true, onlyEligible: true }), expect: HQ_ONLY },
  ];

  for (const route of cases) {
    it(`${route.method} ${route.name}`, async () => {
      const seen: Record<string, number> = {};
      for (const who of ['anonymous', 'viewerB1', 'adminB2', 'adminB1', 'hq'] as Who[]) {
        const before = await world.db.knex('wss_audit_log').count({ n: '*' });
        const res = await world.plugin.request(route.path(), { actor: who === 'anonymous' ? null : ACTORS[who], method: route.method, body: route.body?.() });
        seen[who] = res.status;
        if (res.status >= 400) {
          expect(res.body.error.code).toBeTruthy();
          expect(await world.db.knex('wss_audit_log').count({ n: '*' })).toEqual(before);
        }
      }
      expect(seen).toEqual(route.expect);
    });
  }

  it('HQ\'s decision took effect once; a branch admin\'s queue holds only its branch', async () => {
    expect(await world.db.knex('wss_binding_reviews').where('store_id', 'S101').pluck('status')).toEqual(['approved']);
    const b2 = await world.plugin.request('/reviews', { actor: ACTORS.adminB2 });
    expect(b2.body.items).toEqual([]);
  });
});
