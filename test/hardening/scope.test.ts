import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBindingsWorld, upload, waitForImport, type BindingsWorld } from '../bindings/helpers.js';
import { ACTORS } from '../support/plugin-app.js';

// What a branch admin or a customer may learn about stores that are not theirs or not shown.
let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld({
    config: () => ({
      alerts: {
        robots: [
          { id: 'hq', channel: 'wecom', key: 'hq-key-0001' },
          { id: 'b1', channel: 'wecom', key: 'b1-key-0001' },
          { id: 'b2', channel: 'wecom', key: 'b2-key-0001' },
        ],
        hqRobots: ['hq'],
        branchRobots: { B1: ['b1'], B2: ['b2'] },
      },
      customerPath: { pool: { perStore: 3, leasesPerRequesterPerStore: 1, leasesPerVisitor: 2, leasesPerStorePerMinute: 2 } },
    }),
  });
  const bind = await world.plugin.request('/stores/S101/bindings', { actor: ACTORS.hq, method: 'POST', body: { userid: 'u_s101', role: 'primary' } });
  expect(bind.status).toBe(200);
});
afterAll(() => world?.close());

describe('an account bound in another branch', () => {
  it('the account check says it is bound elsewhere, not where', async () => {
    const res = await world.plugin.request('/accounts/u_s101/check?storeId=S201', { actor: ACTORS.adminB2 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ boundTo: [], boundOutsideScope: true, problem: 'account_bound_elsewhere', canBind: false });
    // (The member's own WeCom name is "店员S101"; the store id and name must not appear.)
    expect(JSON.stringify(res.body)).not.toMatch(/"S101"|门店S101/);
    const own = await world.plugin.request('/accounts/u_s101/check', { actor: ACTORS.adminB1 });
    expect(own.body.boundTo).toEqual([{ userid: 'u_s101', storeId: 'S101', storeName: '门店S101', role: 'primary' }]);
  });

  it('the 409 of a bind says the same', async () => {
    const res = await world.plugin.request('/stores/S201/bindings', { actor: ACTORS.adminB2, method: 'POST', body: { userid: 'u_s101', role: 'primary' } });
    expect([res.status, res.body.error.code]).toEqual([409, 'account_bound_elsewhere']);
    expect(res.body.error.details).toEqual({ stores: [], outsideScope: 1 });
    expect(JSON.stringify(res.body)).not.toMatch(/S101/);
  });

  it('the import report tells neither where it is bound nor unknown from out-of-scope stores', async () => {
    const res = await upload(world.plugin, ACTORS.adminB2, 'x.csv', '门店编号,企微账号\nS201,u_s101\nS102,u_s102\nS999,u_s202\n');
    const job = await waitForImport(world.plugin, res.body.id, ACTORS.adminB2);
    const [bound, foreign, unknown] = job.report;
    expect(bound.code).toBe('account_bound_elsewhere');
    expect(bound.message).not.toMatch(/S101/);
    expect([foreign.code, unknown.code]).toEqual(['store_not_in_scope', 'store_not_in_scope']);
    expect(foreign.message.replace('S102', 'ID')).toBe(unknown.message.replace('S999', 'ID'));
  });
});

describe('public guide visits', () => {
  it('reveal nothing about hidden, closed or unknown stores', async () => {
    const answers = [];
    for (const storeId of ['S101', 'S199', 'S999']) {
      const res = await world.plugin.request('/public/guide-visits', { method: 'POST', body: { storeId, visitorId: 'v-probe' } });
      expect(res.status).toBe(200);
      answers.push({ ...res.body, storeId: 'X' });
    }
    expect(answers[0]).toEqual({ available: false, guideVisitId: null, storeId: 'X', storeName: null, accountName: null, qrCode: null, miniProgramUrl: null, added: false, acquisitionUrl: null });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('a flood cannot drain the pool: past the lease limits a visit shows the store code and is still attributed', async () => {
    const shown = await world.plugin.request('/stores/S101/entry', { actor: ACTORS.hq, method: 'PUT', body: { visible: true } });
    expect(shown.status).toBe(200);
    const services = world.plugin.service.services;
    await services.customerPath.poolIdle();
    await services.customerPath.refillPool();
    const free = () => world.db.knex('wss_guide_contact_ways').where('store_id', 'S101').where((w) => w.whereNull('leased_until').orWhere('leased_until', '<', world.db.knex.fn.now()));
    expect((await free()).length).toBe(3);
    const visit = (visitorId: string) => world.plugin.request('/public/guide-visits', { method: 'POST', body: { storeId: 'S101', visitorId } });
    const sources = [];
    for (const v of ['flood-1', 'flood-2', 'flood-3', 'flood-4']) {
      const res = await visit(v);
      expect(res.body.available).toBe(true);
      sources.push((await world.db.knex('wss_guide_visits').where('id', res.body.guideVisitId).first()).source);
    }
    // One address: one pool way; every other visit gets the store's live code.
    expect(sources).toEqual(['pool', 'store', 'store', 'store']);
    expect((await free()).length).toBe(2);
    const storeVisit = await world.db.knex('wss_guide_visits').where({ visitor_id: 'flood-4' }).first();
    expect(storeVisit.state).toMatch(/^wss:s:/);
    await world.db.knex('wss_guide_visits').whereIn('visitor_id', ['flood-2', 'flood-3']).update({ lease_until: world.db.knex.raw("now() - interval '1 second'") });
    const attribution = await services.customerPath.attributeAdd({ state: storeVisit.state, externalUserid: 'wmFLOOD', accountUserid: 'u_s101', addedAt: new Date() });
    expect(attribution).toMatchObject({ storeId: 'S101', guideVisitId: storeVisit.id, via: 'store', recorded: true });
  });
});

describe('deliveries about an account shared by two branches', () => {
  it('belong to every branch they concern; each branch sees exactly its own', async () => {
    const { alerts } = world.plugin.service.services;
    await alerts.enqueue(world.db.knex, [{ key: 'shared-1', kind: 'capacity_threshold', text: '共享账号容量已达到70%', branchIds: ['B1', 'B2'] }]);
    const robotsSeen = async (actor: (typeof ACTORS)[keyof typeof ACTORS]) =>
      (await world.plugin.request('/alerts/deliveries', { actor })).body.items.map((i: { robotId: string }) => i.robotId).sort();
    expect(await robotsSeen(ACTORS.hq)).toEqual(['b1', 'b2', 'hq']);
    expect(await robotsSeen(ACTORS.adminB1)).toEqual(['b1', 'hq']);
    expect(await robotsSeen(ACTORS.adminB2)).toEqual(['b2', 'hq']);
  });
});
