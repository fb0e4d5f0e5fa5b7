import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import type { Actor } from '../../plugin/host/adapter.js';
import { seedStore } from '../entry/fixtures.js';

// Route × role for the acquisition routes: who may read the quota status (and which stores they
// see), and that only HQ sets a store's guide mode.
let db: TestDatabase;
let plugin: TestPlugin;

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
  await seedStore(db.knex, { id: 'S1', branchId: 'B1', visible: true, accountUserid: 'kf_1' });
  await seedStore(db.knex, { id: 'S2', branchId: 'B2', visible: true, accountUserid: 'kf_2' });
});
afterAll(async () => {
  await plugin?.close();
  await db?.destroy();
});

const nobody: Actor = { id: 'nobody', name: 'no grants', permissions: [], branchScope: 'all' };
const setMode = (actor: Actor | null, storeIds: string[], mode = 'link') =>
  plugin.request('/acquisition/guide-mode', { actor, method: 'PUT', body: { storeIds, mode } });
const status = (actor: Actor | null) => plugin.request('/acquisition/status', { actor });

describe('acquisition routes × roles', () => {
  it('PUT /acquisition/guide-mode: HQ only; nothing written otherwise', async () => {
    expect((await setMode(null, ['S1'])).status).toBe(401);
    for (const actor of [nobody, ACTORS.adminB1, ACTORS.adminB2, ACTORS.viewerB1]) {
      const res = await setMode(actor, ['S1']);
      expect(res.status, actor.id).toBe(403);
      expect(res.body.error.code).toBe('missing_permission');
    }
    expect(await db.knex('wss_store_guide_modes').count({ n: '*' }).first()).toEqual({ n: '0' });
    expect((await setMode(ACTORS.hq, ['S1', 'S2'])).body).toEqual({ updated: 2 });
  });

  it('PUT /acquisition/guide-mode: bad input is a 400 with the field, an unknown store a 404, and nothing half-written', async () => {
    const bad = await setMode(ACTORS.hq, [], 'link');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('storeIds');
    expect((await setMode(ACTORS.hq, ['S1'], 'sideways')).status).toBe(400);
    const unknown = await setMode(ACTORS.hq, ['S1', 'NOPE'], 'mini_program');
    expect(unknown.status).toBe(404);
    expect((await db.knex('wss_store_guide_modes').where('store_id', 'S1').first()).mode).toBe('link');
  });

  it('GET /acquisition/status: capacity readers only, each sees the link-mode stores of their branches', async () => {
    expect((await status(null)).status).toBe(401);
    expect((await status(nobody)).status).toBe(403);
    const ids = async (actor: Actor) => (await status(actor)).body.stores.map((s: { storeId: string }) => s.storeId);
    expect(await ids(ACTORS.hq)).toEqual(['S1', 'S2']);
    expect(await ids(ACTORS.adminB1)).toEqual(['S1']);
    expect(await ids(ACTORS.adminB2)).toEqual(['S2']);
    expect(await ids(ACTORS.viewerB1)).toEqual(['S1']);
    // No WeCom in this plugin: no link yet, so the guide keeps the QR and says why.
    expect((await status(ACTORS.hq)).body.stores[0]).toMatchObject({ showing: 'qr', fallbackReason: 'link_pending', accountUserid: 'kf_1' });
  });
});
