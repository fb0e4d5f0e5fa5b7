import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';

// HQ shows many stores at once: the eligible ones are shown, the others are listed with their reason.
let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld();
  const bind = (storeId: string, userid: string) => world.plugin.request(`/stores/${storeId}/bindings`, { actor: ACTORS.adminB1, method: 'POST', body: { userid } });
  for (const [storeId, userid] of [['S101', 'u_s101'], ['S102', 'u_s102'], ['S104', 'u_s104']]) expect((await bind(storeId, userid)).status).toBe(200);
  await world.plugin.request('/stores/S104/entry', { actor: ACTORS.hq, method: 'PUT', body: { visible: true } });
  world.sim.state.members.get('u_s102')!.status = 5;
  await world.plugin.service.jobs.runNow('account-status-check');
});
afterAll(() => world?.close());

const STORES = ['S101', 'S102', 'S103', 'S104', 'S199'];
const visible = async () => world.db.knex('wss_store_entries').whereIn('store_id', STORES).where('visible', true).orderBy('store_id').pluck('store_id');

describe('bulk show with mixed eligibility', () => {
  it('all or nothing by default: 409 names every store that cannot be shown, nothing changes', async () => {
    const res = await world.plugin.request('/entries/visibility', { actor: ACTORS.hq, method: 'POST', body: { storeIds: STORES, visible: true } });
    expect(res.status).toBe(409);
    expect(res.body.error.details.stores.map((s: any) => [s.storeId, s.problem])).toEqual([
      ['S102', 'no_active_account'], ['S103', 'no_active_account'], ['S199', 'store_closed'],
    ]);
    expect(await visible()).toEqual(['S104']);
  });

  it('onlyEligible shows the eligible stores and reports the others per store', async () => {
    const res = await world.plugin.request('/entries/visibility', { actor: ACTORS.hq, method: 'POST', body: { storeIds: STORES, visible: true, onlyEligible: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      changed: ['S101'],
      unchanged: 1,
      skipped: [
        { storeId: 'S102', storeName: '门店S102', problem: 'no_active_account', message: '没有可用的企微账号（未绑定，或账号已停用、离职）' },
        { storeId: 'S103', storeName: '门店S103', problem: 'no_active_account', message: '没有可用的企微账号（未绑定，或账号已停用、离职）' },
        { storeId: 'S199', storeName: '已关门店', problem: 'store_closed', message: '门店已关店' },
      ],
    });
    expect(await visible()).toEqual(['S101', 'S104']);
    // Showing S101 approved its pending review; S102's stays in the queue.
    expect(await world.db.knex('wss_binding_reviews').whereIn('store_id', ['S101', 'S102']).orderBy('store_id').pluck('status')).toEqual(['approved', 'pending']);
    expect(await world.db.knex('wss_audit_log').where({ action: 'entry.show', store_id: 'S101' })).toHaveLength(1);
  });
});
