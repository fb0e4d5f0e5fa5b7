import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';

// Bindings ↔ customer path: the guide's per-visit contact-way pool follows what the binding workflow (and the
// capacity failover) decide, right away instead of on the next guide-pool-refill run.
let world: BindingsWorld;
beforeAll(async () => {
  // Every test visitor comes from 127.0.0.1: the per-address lease limit is lifted here (test/hardening covers it).
  world = await startBindingsWorld({
    storesPerBranch: 3,
    extraMembers: [{ userid: 'u_new', name: '新店员' }],
    config: () => ({ customerPath: { pool: { leasesPerRequesterPerStore: 10 } } }),
  });
});
afterAll(() => world?.close());

const services = () => world.plugin.service.services;
const ways = (storeId: string) => world.db.knex('wss_guide_contact_ways').where('store_id', storeId).orderBy('config_id').select('config_id', 'account_userid', 'state', 'leased_until');
const accountsOf = async (storeId: string) => (await ways(storeId)).map((w) => w.account_userid).sort();
const simUsersOf = (configId: string) => world.sim.state.contactWays.get(configId)?.user;
const show = (storeId: string) => world.plugin.request(`/stores/${storeId}/entry`, { actor: ACTORS.hq, method: 'PUT', body: { visible: true } });
const startVisit = (storeId: string, visitorId: string) => world.plugin.request('/public/guide-visits', { method: 'POST', body: { storeId, visitorId, clientType: 'h5' } });

describe('guide pool and the binding workflow', () => {
  it('fills the pool of a store as soon as HQ shows its entry, and only that store', async () => {
    for (const [storeId, userid, role] of [['S101', 'u_s101', 'primary'], ['S101', 'u_s101_b', 'backup'], ['S102', 'u_s102', 'primary']]) {
      const res = await world.plugin.request(`/stores/${storeId}/bindings`, { actor: ACTORS.adminB1, method: 'POST', body: { userid, role } });
      expect(res.status).toBe(200);
    }
    expect(await ways('S101')).toEqual([]);
    // S102 shown behind the workflow's back (as an older process would have): left to the job.
    await world.db.knex('wss_store_entries').where('store_id', 'S102').update({ visible: true, hidden_automatically: null });

    expect((await show('S101')).status).toBe(200);
    await services().customerPath.poolIdle();

    const pool = await ways('S101');
    expect(pool.map((w) => w.account_userid)).toEqual(['u_s101', 'u_s101']);
    for (const way of pool) {
      expect(way.state).toMatch(/^wss:v:/);
      expect(simUsersOf(way.config_id)).toEqual(['u_s101']);
    }
    expect(await ways('S102')).toEqual([]);
    const visit = await startVisit('S101', 'v1');
    expect(visit.body).toMatchObject({ available: true, accountName: '店员S101' });
    expect((await world.db.knex('wss_guide_visits').where('id', visit.body.guideVisitId).first()).source).toBe('pool');

    // Showing it again changes nothing, so nothing more is created.
    expect((await show('S101')).body).toEqual({ changed: [], unchanged: 1 });
    await services().customerPath.poolIdle();
    expect(await ways('S101')).toHaveLength(2);
  });

  it('on rebind, retires the free ways of the old account and fills the new account\'s when HQ shows it again', async () => {
    const before = await ways('S101');
    const rebind = await world.plugin.request('/stores/S101/primary', { actor: ACTORS.adminB1, method: 'PUT', body: { userid: 'u_new', mode: 'rebind' } });
    expect(rebind.status).toBe(200);
    // Awaiting review: hidden, so the guide offers nothing (no old-account way either).
    expect((await startVisit('S101', 'v2')).body.available).toBe(false);

    expect((await show('S101')).status).toBe(200);
    await services().customerPath.poolIdle();

    const pool = await ways('S101');
    // v1 still holds its old way until its lease ends; the free old one is gone, here and in WeCom.
    const old = pool.filter((w) => w.account_userid === 'u_s101');
    expect(old).toHaveLength(1);
    expect(old[0].leased_until.getTime()).toBeGreaterThan(Date.now());
    const retired = before.filter((w) => w.config_id !== old[0].config_id);
    expect(retired).toHaveLength(1);
    expect(world.sim.state.contactWays.has(retired[0].config_id)).toBe(false);
    expect(world.sim.state.contactWays.has(old[0].config_id)).toBe(true);
    const fresh = pool.filter((w) => w.account_userid === 'u_new');
    expect(fresh).toHaveLength(2);
    for (const way of fresh) expect(simUsersOf(way.config_id)).toEqual(['u_new']);

    const visit = await startVisit('S101', 'v3');
    expect(visit.body).toMatchObject({ available: true, accountName: '新店员' });
    expect(fresh.map((w) => w.config_id)).toContain((await world.db.knex('wss_guide_visits').where('id', visit.body.guideVisitId).first()).config_id);
  });

  it('follows the capacity failover to the backup account and back', async () => {
    await world.db.knex('wss_wecom_accounts').where('userid', 'u_new').update({ capacity_limit: 100, customer_count: 96 });
    await services().capacity.countsChanged(['u_new']);
    await services().customerPath.poolIdle();
    expect((await world.db.knex('wss_store_live_codes').where('store_id', 'S101').first()).account_userids).toEqual(['u_s101_b']);

    // New customers of the guide go to the backup too: its pool is filled at once.
    expect((await accountsOf('S101')).filter((u) => u === 'u_s101_b')).toHaveLength(2);
    const visit = await startVisit('S101', 'v4');
    expect(visit.body).toMatchObject({ available: true, accountName: '备用S101' });
    const leased = await world.db.knex('wss_guide_visits').where('id', visit.body.guideVisitId).first();
    expect(simUsersOf(leased.config_id)).toEqual(['u_s101_b']);

    await world.db.knex('wss_wecom_accounts').where('userid', 'u_new').update({ customer_count: 50 });
    await services().capacity.countsChanged(['u_new']);
    await services().customerPath.poolIdle();
    expect((await world.db.knex('wss_store_live_codes').where('store_id', 'S101').first()).account_userids).toEqual(['u_new']);
    const back = await startVisit('S101', 'v5');
    expect(back.body.accountName).toBe('新店员');
  });
});
