import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from './helpers.js';

let world: BindingsWorld;

beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 3 });
});
afterAll(() => world?.close());

const bind = (storeId: string, userid: string, role: 'primary' | 'backup') =>
  world.plugin.request(`/stores/${storeId}/bindings`, { method: 'POST', actor: ACTORS.hq, body: { userid, role } });
const lookups = () => world.plugin.service.metrics.storeAccountCache;
const countOf = async (result: 'hit' | 'miss') => (await lookups().get()).values.find((v) => v.labels.result === result)?.value ?? 0;

describe('storeAccount: the binding lookup for other host features', () => {
  it('answers unbound, then the serving account and its live code, seeing a change at once', async () => {
    const { bindings } = world.plugin.service.services;
    expect(await bindings.storeAccount('S101')).toEqual({ storeId: 'S101', served: false, account: null, liveCode: null });

    expect((await bind('S101', 'u_s101', 'primary')).status).toBe(200);
    const served = await bindings.storeAccount('S101');
    const row = await world.db.knex('wss_store_live_codes').where('store_id', 'S101').first();
    expect(served).toEqual({
      storeId: 'S101',
      served: true,
      account: { userid: 'u_s101', name: '店员S101', role: 'primary', usable: true },
      liveCode: { configId: row.config_id, qrCode: row.qr_code, state: row.state },
    });
    expect(served.liveCode?.qrCode).toMatch(/^https?:/);

    // The capacity failover moves new customers to the backup: the lookup follows at once.
    expect((await bind('S101', 'u_s101_b', 'backup')).status).toBe(200);
    await bindings.routeNewCustomersTo('S101', 'u_s101_b', 'test failover');
    expect((await bindings.storeAccount('S101')).account).toMatchObject({ userid: 'u_s101_b', role: 'backup' });
  });

  it('is cached: repeated lookups do not read the database again', async () => {
    const { bindings } = world.plugin.service.services;
    await bindings.storeAccount('S102');
    const [hits, misses] = [await countOf('hit'), await countOf('miss')];
    for (let i = 0; i < 5; i++) await bindings.storeAccount('S102');
    expect(await countOf('hit')).toBe(hits + 5);
    expect(await countOf('miss')).toBe(misses);
  });

  it('says a closed store is not served, and 404s an unknown one', async () => {
    const { bindings } = world.plugin.service.services;
    expect(await bindings.storeAccount('S199')).toMatchObject({ served: false });
    await expect(bindings.storeAccount('NOPE')).rejects.toMatchObject({ code: 'store_not_found' });
  });

  it('is an authenticated, branch-scoped route', async () => {
    const ok = await world.plugin.request('/stores/S101/account', { actor: ACTORS.adminB1 });
    expect(ok.status).toBe(200);
    expect(ok.body.account.userid).toBe('u_s101_b');
    expect((await world.plugin.request('/stores/S101/account', { actor: ACTORS.adminB2 })).body.error.code).toBe('branch_out_of_scope');
    expect((await world.plugin.request('/stores/S101/account')).status).toBe(401);
    expect((await world.plugin.request('/stores/NOPE/account', { actor: ACTORS.hq })).status).toBe(404);
  });
});
