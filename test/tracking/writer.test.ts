import { randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEventWriter } from '../../plugin/tracking/event-writer.js';
import type { TrackedEvent } from '../../plugin/tracking/tracking.schema.js';
import { createTrackingStore } from '../../plugin/tracking/tracking.store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const ev = (id: string, occurredAt = new Date()): TrackedEvent => ({
  clientEventId: id, type: 'entry_click', storeId: 'S1', visitorId: 'v1', orderId: null, clientType: 'h5',
  guideVisitId: null, outcome: null, occurredAt, receivedAt: new Date(), props: null,
});
const many = (n: number, prefix = randomUUID()) => Array.from({ length: n }, (_, i) => ev(`${prefix}-${i}`));

/** A store double: records each statement; `gate` holds statements until released. */
function fakeStore(opts: { fail?: (events: readonly TrackedEvent[]) => boolean } = {}) {
  const statements: { kind: 'copy' | 'insert'; rows: number }[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  const wait = () => (holding ? new Promise<void>((r) => held.push(r)) : Promise.resolve());
  return {
    statements,
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      held.splice(0).forEach((r) => r());
    },
    store: {
      async copy(events: readonly TrackedEvent[]) {
        statements.push({ kind: 'copy', rows: events.length });
        await wait();
        if (opts.fail?.(events)) throw new Error('bad row');
        return true;
      },
      async insert(events: readonly TrackedEvent[]) {
        statements.push({ kind: 'insert', rows: events.length });
        await wait();
        if (opts.fail?.(events)) throw new Error('bad row');
        return new Set(events.map((e) => e.clientEventId));
      },
    },
  };
}

describe('event writer (group commit)', () => {
  it('starts the first statement at once and groups what arrives meanwhile until enough rows wait', async () => {
    const fake = fakeStore();
    const writer = createEventWriter({ store: fake.store, copyMinRows: 100, extraStatementRows: 500 });
    fake.hold();
    const first = writer.write(many(100));
    expect(fake.statements).toEqual([{ kind: 'copy', rows: 100 }]);
    // 4 × 100 rows wait: below 500, no second statement yet.
    const queued = Array.from({ length: 4 }, () => writer.write(many(100)));
    expect(fake.statements).toHaveLength(1);
    // The fifth makes 500 waiting rows: a second statement takes all of them as one group.
    queued.push(writer.write(many(100)));
    expect(fake.statements).toEqual([{ kind: 'copy', rows: 100 }, { kind: 'copy', rows: 500 }]);
    // Small writes use INSERT … ON CONFLICT (below copyMinRows).
    const small = writer.write(many(3));
    fake.release();
    expect((await first).length).toBe(100);
    for (const q of queued) expect((await q).length).toBe(100);
    expect((await small).length).toBe(3);
    expect(fake.statements[2]).toEqual({ kind: 'insert', rows: 3 });
    await writer.close();
  });

  it('uses INSERT … ON CONFLICT when COPY declines (an id already stored)', async () => {
    const fake = fakeStore();
    const stored = new Set(['dup-1']);
    const writer = createEventWriter({
      store: {
        copy: async (events) => (fake.statements.push({ kind: 'copy', rows: events.length }), !events.some((e) => stored.has(e.clientEventId))),
        insert: async (events) => (fake.statements.push({ kind: 'insert', rows: events.length }), new Set(events.map((e) => e.clientEventId).filter((id) => !stored.has(id)))),
      },
      copyMinRows: 100,
    });
    const fresh = await writer.write([...many(149), ev('dup-1')]);
    expect(fresh.length).toBe(149);
    expect(fresh.some((e) => e.clientEventId === 'dup-1')).toBe(false);
    expect(fake.statements).toEqual([{ kind: 'copy', rows: 150 }, { kind: 'insert', rows: 150 }]);
    // A group with the same id twice never tries COPY (it would fail on it).
    fake.statements.length = 0;
    const twice = many(120);
    expect((await writer.write([...twice, twice[0]])).length).toBe(120);
    expect(fake.statements).toEqual([{ kind: 'insert', rows: 121 }]);
    await writer.close();
  });

  it('retries a failed group one request at a time: a bad request does not fail the others', async () => {
    const fake = fakeStore({ fail: (events) => events.some((e) => e.clientEventId.startsWith('poison')) });
    const writer = createEventWriter({ store: fake.store, copyMinRows: 100, extraStatementRows: 10_000 });
    fake.hold();
    const blocker = writer.write(many(100));
    const good1 = writer.write(many(100));
    const bad = writer.write([...many(99), ev('poison-1')]);
    const good2 = writer.write(many(50));
    fake.release();
    await blocker;
    expect((await good1).length).toBe(100);
    expect((await good2).length).toBe(50);
    await expect(bad).rejects.toThrow('bad row');
    // blocker, the failed group of three, then each of the three alone.
    expect(fake.statements.map((s) => s.rows)).toEqual([100, 250, 100, 100, 50]);
    await writer.close();
  });
});

describe('tracking store COPY path', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('gives COPY rows the same local day as PostgreSQL, around local midnight in several zones', async () => {
    for (const zone of ['Asia/Shanghai', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC']) {
      const store = createTrackingStore(db.knex, zone);
      // Local midnights of the last three days, as UTC instants, asked of PostgreSQL.
      const { rows } = await db.knex.raw<{ rows: { t: Date }[] }>(
        `SELECT (date_trunc('day', now() AT TIME ZONE ?) - make_interval(days => g)) AT TIME ZONE ? AS t FROM generate_series(0, 2) g`,
        [zone, zone],
      );
      const events: TrackedEvent[] = [];
      for (const { t } of rows) for (const d of [-1, 0, 1, 899_999]) events.push(ev(`${zone}-${t.getTime() + d}`, new Date(t.getTime() + d)));
      expect(await store.copy(events)).toBe(true);
      const { rows: check } = await db.knex.raw<{ rows: { same: boolean }[] }>(
        `SELECT day = (occurred_at AT TIME ZONE ?)::date AS same FROM wss_tracking_events WHERE client_event_id LIKE ?`,
        [zone, `${zone}-%`],
      );
      expect(check).toHaveLength(events.length);
      expect(check.every((r) => r.same)).toBe(true);
    }
  });

  it('stores nothing and answers false when one id already exists; INSERT then keeps the new ones', async () => {
    const store = createTrackingStore(db.knex, 'Asia/Shanghai');
    const prefix = randomUUID();
    const existing = ev(`${prefix}-7`);
    expect(await store.copy([existing])).toBe(true);
    const batch = many(150, prefix);
    expect(await store.copy(batch)).toBe(false);
    const count = async () => Number((await db.knex('wss_tracking_events').where('client_event_id', 'like', `${prefix}-%`).count('* as n').first())!.n);
    expect(await count()).toBe(1);
    const inserted = await store.insert(batch);
    expect(inserted.size).toBe(149);
    expect(inserted.has(existing.clientEventId)).toBe(false);
    expect(await count()).toBe(150);
  });

  it('round-trips every column through binary COPY (text, nulls, unicode props, ms timestamps)', async () => {
    const store = createTrackingStore(db.knex, 'Asia/Shanghai');
    const a: TrackedEvent = {
      clientEventId: `bin-${randomUUID()}`, type: 'jump_result', storeId: 'S:1.x', visitorId: 'v_1', orderId: 'O-9', clientType: 'miniprogram',
      guideVisitId: 'gv_7', outcome: 'failed', occurredAt: new Date(Date.UTC(2026, 0, 31, 16, 0, 0, 123)), receivedAt: new Date(Date.UTC(2026, 0, 31, 16, 0, 1, 999)),
      props: { via: 'a\tb\nc\\d\r"e"', 中文: '门店 😀', n: -1.5, ok: true, none: null },
    };
    const b: TrackedEvent = { ...ev(`bin-${randomUUID()}`, new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 1))), props: null };
    expect(await store.copy([a, b])).toBe(true);
    const rows = await db.knex('wss_tracking_events').whereIn('client_event_id', [a.clientEventId, b.clientEventId]).orderBy('id')
      .select('*', db.knex.raw(`to_char(day, 'YYYY-MM-DD') AS day_text`));
    expect(rows.map((r) => ({
      clientEventId: r.client_event_id, type: r.type, storeId: r.store_id, visitorId: r.visitor_id, orderId: r.order_id, clientType: r.client_type,
      guideVisitId: r.guide_visit_id, outcome: r.outcome, occurredAt: r.occurred_at, receivedAt: r.received_at, props: r.props,
    }))).toEqual([a, b]);
    // 2026-01-31 16:00 UTC is 2026-02-01 in Shanghai; a time before 2000 (negative µs) works too.
    expect(rows.map((r) => r.day_text)).toEqual(['2026-02-01', '2000-01-01']);
  });

  it('declines COPY (INSERT path) when the database is not UTF8', async () => {
    const name = `wss_test_ascii_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client(inject('pgServerUrl'));
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    const url = new URL(inject('pgServerUrl'));
    url.pathname = `/${name}`;
    const ascii = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
    try {
      expect(await createTrackingStore(ascii, 'Asia/Shanghai').copy(many(5))).toBe(false);
    } finally {
      await ascii.destroy();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
