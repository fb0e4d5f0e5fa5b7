import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from './helpers.js';

let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 3 });
  await world.plugin.request('/stores/S101/bindings', { actor: ACTORS.hq, method: 'POST', body: { userid: 'u_s101' } });
});
afterAll(() => world?.close());

type Who = keyof typeof ACTORS | 'anonymous';
interface RouteCase {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Expected status per actor; every route on a B1 store. */
  expect: Record<Who, number>;
}

// Reads are allowed to every role inside the branch; writes to HQ and the branch admin; toggling to HQ.
const READ = { anonymous: 401, viewerB1: 200, adminB2: 403, adminB1: 200, hq: 200 };
const cases: RouteCase[] = [
  { name: 'store bindings', method: 'GET', path: '/stores/S101/bindings', expect: READ },
  { name: 'store history', method: 'GET', path: '/stores/S101/history', expect: READ },
  { name: 'bind', method: 'POST', path: '/stores/S102/bindings', body: { userid: 'u_s102', role: 'backup' }, expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 200, hq: 200 } },
  { name: 'set primary', method: 'PUT', path: '/stores/S102/primary', body: { userid: 'u_s102_b', mode: 'rebind' }, expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 200, hq: 200 } },
  { name: 'unbind', method: 'DELETE', path: '/stores/S103/bindings/u_s103', expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 404, hq: 404 } },
  { name: 'check account', method: 'GET', path: '/accounts/u_s103/check', expect: { anonymous: 401, viewerB1: 403, adminB2: 200, adminB1: 200, hq: 200 } },
  { name: 'account sharing', method: 'PUT', path: '/accounts/u_s101/sharing', body: { allowed: false }, expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 403, hq: 200 } },
  { name: 'entry toggle', method: 'PUT', path: '/stores/S101/entry', body: { visible: false }, expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 403, hq: 200 } },
  { name: 'bulk toggle', method: 'POST', path: '/entries/visibility', body: { storeIds: ['S101'], visible: false }, expect: { anonymous: 401, viewerB1: 403, adminB2: 403, adminB1: 403, hq: 200 } },
  { name: 'import template', method: 'GET', path: '/imports/template?format=csv', expect: { anonymous: 401, viewerB1: 403, adminB2: 200, adminB1: 200, hq: 200 } },
  // A viewer cannot write through the import either: upload, read a job, commit.
  { name: 'import upload', method: 'POST', path: '/imports?fileName=scope-upload.csv', body: '门店编号,企微账号,角色\nS103,u_s103_b,备用\n', headers: { 'Content-Type': 'text/csv' }, expect: { anonymous: 401, viewerB1: 403, adminB2: 202, adminB1: 202, hq: 202 } },
  { name: 'import status', method: 'GET', path: '/imports/00000000-0000-4000-8000-000000000000', expect: { anonymous: 401, viewerB1: 403, adminB2: 404, adminB1: 404, hq: 404 } },
  { name: 'import commit', method: 'POST', path: '/imports/00000000-0000-4000-8000-000000000000/commit', expect: { anonymous: 401, viewerB1: 403, adminB2: 404, adminB1: 404, hq: 404 } },
  { name: 'export', method: 'GET', path: '/exports/bindings?format=csv&branchId=B1', expect: READ },
  { name: 'me', method: 'GET', path: '/me', expect: { anonymous: 401, viewerB1: 200, adminB2: 200, adminB1: 200, hq: 200 } },
];

describe('every binding route checks its permission and the branch scope', () => {
  for (const route of cases) {
    it(`${route.method} ${route.name}`, async () => {
      // Refused actors first, so a refused write can be seen to have changed nothing.
      const order: Who[] = ['anonymous', 'viewerB1', 'adminB2', 'adminB1', 'hq'];
      const seen: Record<string, number> = {};
      for (const who of order) {
        const before = await world.db.knex('wss_audit_log').count({ n: '*' });
        const res = await world.plugin.request(route.path, { actor: who === 'anonymous' ? null : ACTORS[who], method: route.method, body: route.body, headers: route.headers });
        seen[who] = res.status;
        if (res.status >= 400) {
          expect(res.body.error.code).toBeTruthy();
          expect(await world.db.knex('wss_audit_log').count({ n: '*' })).toEqual(before);
        }
      }
      expect(seen).toEqual(route.expect);
    });
  }

  it('lists only the importing actor\'s scope in the dry run', async () => {
    const { upload, waitForImport } = await import('./helpers.js');
    const res = await upload(world.plugin, ACTORS.adminB2, 'scope.csv', '门店编号,企微账号\nS101,u_s101_b\nS201,u_s201\n');
    const job = await waitForImport(world.plugin, res.body.id, ACTORS.adminB2);
    expect(job.report.map((r: any) => r.code ?? r.action)).toEqual(['store_not_in_scope', 'bind']);
  });
});
