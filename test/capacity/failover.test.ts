import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { decideRoute } from '../../plugin/capacity/failover.js';
import { buildFeature, ROBOTS, seedStores, setCount } from './fixtures.js';

let db: TestDatabase;
let ids: Record<string, string>;
const calls: [string, string | null, string][] = [];
let failNext = false;
const routing = {
  async routeNewCustomersTo(storeId: string, userid: string | null, reason: string) {
    if (failNext) {
      failNext = false;
      throw new Error('WeCom update_contact_way failed');
    }
    calls.push([storeId, userid, reason]);
  },
};

beforeAll(async () => {
  db = await createTestDatabase();
  ids = await seedStores(db.knex, [
    { id: 'S1', branchId: 'B1', accounts: [{ userid: 'kf_p', role: 'primary' }, { userid: 'kf_b', role: 'backup' }, { userid: 'kf_old', role: 'retired', count: 100 }] },
  ]);
});
afterAll(() => db.destroy());

const feature = () => buildFeature(db.knex, { capacity: { thresholds: [70, 95], hardLevel: 95, rearmMargin: 5 }, alerts: ROBOTS }, { routing }).capacity;
const notices = () => db.knex('wss_alert_outbox').where('kind', 'like', 'capacity\\_%').whereNot('kind', 'capacity_threshold').orderBy('id').select('kind', 'robot_id', 'payload');
const route = () => db.knex('wss_capacity_routes').where('store_id', 'S1').first('routed_to', 'account_userid');

describe('failover to the backup account at the hard level', () => {
  it('moves new customers to the backup at 95 %, tells HQ only, and does not repeat itself', async () => {
    await setCount(db.knex, ids.kf_p, 94);
    await feature().evaluate([ids.kf_p]);
    expect(calls).toEqual([]);
    await setCount(db.knex, ids.kf_p, 95);
    await feature().evaluate([ids.kf_p]);
    await feature().evaluate([ids.kf_p]);
    expect(calls).toEqual([['S1', 'kf_b', 'capacity_failover']]);
    expect(await route()).toEqual({ routed_to: 'backup', account_userid: 'kf_b' });
    const [notice] = await notices();
    expect(notice).toMatchObject({ kind: 'capacity_failover', robot_id: 'hq' });
    expect(notice.payload.text).toBe('S1门店(华东分公司)名kf_p(账号:kf_p)客户容量95%，新客户已切换至备用账号名kf_b(账号:kf_b)。');
  });

  it('keeps the backup while the primary is inside the margin, hides the entry when no account has room', async () => {
    await setCount(db.knex, ids.kf_p, 91);
    await feature().evaluate([ids.kf_p]);
    expect(calls).toHaveLength(1);
    await setCount(db.knex, ids.kf_p, 99);
    await setCount(db.knex, ids.kf_b, 96);
    await feature().evaluate([ids.kf_b]);
    expect(calls[1]).toEqual(['S1', null, 'capacity_full']);
    expect(await route()).toEqual({ routed_to: 'none', account_userid: null });
    expect((await notices()).map((n) => n.kind)).toEqual(['capacity_failover', 'capacity_full']);
    expect((await notices())[1].payload.text).toContain('门店入口已自动隐藏');
  });

  it('returns routing when room returns; a failed routing call is retried on the next check', async () => {
    await setCount(db.knex, ids.kf_p, 89);
    failNext = true;
    await feature().evaluate([ids.kf_p]);
    expect(await route()).toEqual({ routed_to: 'none', account_userid: null });
    await feature().evaluate([ids.kf_p]);
    expect(calls[2]).toEqual(['S1', 'kf_p', 'capacity_restored']);
    expect(await route()).toEqual({ routed_to: 'primary', account_userid: 'kf_p' });
    expect((await notices()).map((n) => n.kind)).toEqual(['capacity_failover', 'capacity_full', 'capacity_restored']);
  });
});

describe('decideRoute', () => {
  const acc = (role: 'primary' | 'backup', userid: string, count: number) => ({ role, id: userid, userid, name: userid, count, limit: 100 });
  it('picks the backup with the most room, and never routes an unbound store', () => {
    const decision = decideRoute({ current: { routedTo: 'primary', accountUserid: null }, accounts: [acc('primary', 'p', 97), acc('backup', 'b1', 80), acc('backup', 'b2', 20)], hardLevel: 95, margin: 5 });
    expect(decision).toMatchObject({ routedTo: 'backup', account: { userid: 'b2' } });
    expect(decideRoute({ current: { routedTo: 'primary', accountUserid: null }, accounts: [acc('backup', 'b', 1)], hardLevel: 95, margin: 5 })).toBeNull();
  });
});
