import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { buildFeature, ROBOTS, seedStores, setCount } from './fixtures.js';

let db: TestDatabase;
let ids: Record<string, string>;
const capacity = { thresholds: [70, 85, 95], rearmMargin: 5 };

beforeAll(async () => {
  db = await createTestDatabase();
  ids = await seedStores(db.knex, [
    { id: 'S1', branchId: 'B1', accounts: [{ userid: 'kf1', role: 'primary' }] },
    { id: 'S2', branchId: 'B2', accounts: [{ userid: 'kf2', role: 'primary' }] },
    { id: 'S3', branchId: 'B1', accounts: [{ userid: 'kf3', role: 'primary' }] },
    { id: 'S4', branchId: 'B1', accounts: [{ userid: 'kf4', role: 'primary' }] },
  ]);
});
afterAll(() => db.destroy());

const outbox = (accountId: string) =>
  db.knex('wss_alert_outbox').where('account_id', accountId).orderBy('id').select('idempotency_key', 'robot_id', 'kind', 'payload', 'branch_id');

describe('threshold crossings with hysteresis', () => {
  it('warns once per level as the fill crosses 70, 85 and 95, to the HQ and the branch robot, in the default text', async () => {
    const { capacity: service } = buildFeature(db.knex, { capacity, alerts: ROBOTS });
    const id = ids.kf1;
    await setCount(db.knex, id, 69);
    expect((await service.evaluate([id])).warningsQueued).toBe(0);
    await setCount(db.knex, id, 70);
    expect((await service.evaluate([id])).warningsQueued).toBe(2);
    await setCount(db.knex, id, 84);
    expect((await service.evaluate([id])).warningsQueued).toBe(0);
    await setCount(db.knex, id, 85);
    await service.evaluate([id]);
    await service.evaluate([id]);
    await setCount(db.knex, id, 97);
    await service.evaluate([id]);
    const rows = await outbox(id);
    expect(rows.map((r) => r.idempotency_key)).toEqual([
      `capacity:${id}:70:1:hq`, `capacity:${id}:70:1:b1`,
      `capacity:${id}:85:1:hq`, `capacity:${id}:85:1:b1`,
      `capacity:${id}:95:1:hq`, `capacity:${id}:95:1:b1`,
    ]);
    expect(rows[0].payload.text).toBe('名kf1(账号:kf1)客户容量已达到70%,请及时处理。');
    expect(rows[2].payload.text).toBe('名kf1(账号:kf1)客户容量已达到85%,请及时处理。');
    expect(rows.every((r) => r.branch_id === 'B1' && r.kind === 'capacity_threshold')).toBe(true);
  });

  it('re-arms a level only after the fill falls below it by the margin (no flapping)', async () => {
    const { capacity: service } = buildFeature(db.knex, { capacity, alerts: ROBOTS });
    const id = ids.kf2; // branch B2 has no robot: HQ only
    await setCount(db.knex, id, 71);
    await service.evaluate([id]);
    for (const count of [66, 70, 65, 72]) {
      await setCount(db.knex, id, count);
      await service.evaluate([id]);
    }
    expect((await outbox(id)).map((r) => r.idempotency_key)).toEqual([`capacity:${id}:70:1:hq`]);
    await setCount(db.knex, id, 64);
    await service.evaluate([id]);
    await setCount(db.knex, id, 70);
    await service.evaluate([id]);
    expect((await outbox(id)).map((r) => r.idempotency_key)).toEqual([`capacity:${id}:70:1:hq`, `capacity:${id}:70:2:hq`]);
    const state = await db.knex('wss_capacity_levels').where({ account_id: id, level: 70 }).first();
    expect(state).toMatchObject({ armed: false, crossings: 2 });
  });

  it('sends one warning, for the highest level, when a jump crosses several levels at once', async () => {
    const { capacity: service } = buildFeature(db.knex, { capacity, alerts: ROBOTS });
    await setCount(db.knex, ids.kf3, 96);
    await service.evaluate([ids.kf3]);
    expect((await outbox(ids.kf3)).map((r) => r.idempotency_key)).toEqual([`capacity:${ids.kf3}:95:1:hq`, `capacity:${ids.kf3}:95:1:b1`]);
    const armed = await db.knex('wss_capacity_levels').where('account_id', ids.kf3).orderBy('level').pluck('armed');
    expect(armed).toEqual([false, false, false]);
  });

  it('warns once when two processes check the same account at the same time', async () => {
    const second: Knex = knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: 5 } });
    try {
      const a = buildFeature(db.knex, { capacity, alerts: ROBOTS }, { workerId: 'a' }).capacity;
      const b = buildFeature(second, { capacity, alerts: ROBOTS }, { workerId: 'b' }).capacity;
      await setCount(db.knex, ids.kf4, 88);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).evaluate([ids.kf4])));
      expect(results.reduce((n, r) => n + r.warningsQueued, 0)).toBe(2);
      expect((await outbox(ids.kf4)).map((r) => r.idempotency_key)).toEqual([`capacity:${ids.kf4}:85:1:hq`, `capacity:${ids.kf4}:85:1:b1`]);
    } finally {
      await second.destroy();
    }
  });

  it('adds the forecast from the recent add rate, and renders custom templates with every placeholder', async () => {
    const [row] = await db.knex('wss_wecom_accounts').insert({ userid: 'kf5', name: '周婷', customer_count: 70, capacity_limit: 100 }).returning('id');
    const id = String(row.id);
    await db.knex('wss_store_accounts').insert({ store_id: 'S1', account_id: id, role: 'backup', bound_by: 't' });
    // 50 customers two days ago → 10 a day.
    await db.knex('wss_capacity_samples').insert({ account_id: id, bucket: db.knex.raw("now() - interval '48 hours'"), customer_count: 50 });
    const { capacity: service } = buildFeature(db.knex, {
      capacity: { ...capacity, template: '[{branch}/{store}] {name}({账号}) {count}/{limit}={percent}% ≥{level}% {forecast} {unknown}' },
      alerts: ROBOTS,
    });
    await service.evaluate([id]);
    const [hq] = await outbox(id);
    expect(hq.payload.text).toMatch(/^\[华东分公司\/S1门店\] 周婷\(kf5\) 70\/100=70% ≥70% 按近期日均新增10人，预计约1\.5天后达到85%，约3天后满员。 \{unknown\}$/);
    expect(hq.payload.details.forecast).toMatchObject({ nextLevel: 85, daysToNext: 1.5, daysToFull: 3 });

    // The default template keeps its exact first line and puts the forecast on a second one.
    await db.knex('wss_capacity_levels').where('account_id', id).update({ armed: true });
    await db.knex('wss_alert_outbox').where('account_id', id).delete();
    await buildFeature(db.knex, { capacity, alerts: ROBOTS }).capacity.evaluate([id]);
    const [again] = await outbox(id);
    expect(again.payload.text.split('\n')).toEqual(['周婷(账号:kf5)客户容量已达到70%,请及时处理。', expect.stringContaining('约3天后满员')]);
  });
});
