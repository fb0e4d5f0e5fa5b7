import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import type { TrackedEvent } from '../../plugin/tracking/tracking.schema.js';

let db: TestDatabase;
let plugin: TestPlugin;
const forwarded: TrackedEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex, config: { customerPath: { ingest: { perVisitorPerMinute: 50, perIpPerMinute: 100_000 } } } });
  plugin.service.services.tracking.addSink({ name: 'test', write: async (events) => void forwarded.push(...events) });
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
});

let visitorSeq = 0;
function event(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    type: 'order_result_view',
    storeId: 'S1',
    visitorId: `v${++visitorSeq}`,
    orderId: 'O-1',
    clientType: 'h5',
    occurredAt: Date.now() - 1000,
    ...overrides,
  };
}
const send = (body: unknown, headers?: Record<string, string>) => plugin.request('/public/events', { method: 'POST', body, headers });
const rowsFor = (ids: string[]) => db.knex('wss_tracking_events').whereIn('client_event_id', ids).orderBy('id');

describe('event ingestion', () => {
  it('stores a valid batch with client time, server receive time and the Asia/Shanghai day', async () => {
    const fresh = [event(), event({ type: 'entry_click' }), event({ type: 'jump_result', guideVisitId: 'gv_1', outcome: 'failed' })];
    const before = Date.now();
    const res = await send({ events: [...fresh] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const rows = await rowsFor(fresh.map((e) => e.id));
    expect(rows.map((r) => r.type)).toEqual(['order_result_view', 'entry_click', 'jump_result']);
    expect(rows[2].outcome).toBe('failed');
    expect(rows[0].received_at.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(rows[0].occurred_at.getTime()).toBe(fresh[0].occurredAt);

    // 00:xx in Shanghai is 16:xx UTC of the day before: the stored day must be the Shanghai one.
    const hour = Array.from({ length: 48 }, (_, k) => Date.now() - (k + 1) * 3_600_000).find((t) => new Date(t).getUTCHours() === 16)!;
    const late = event({ occurredAt: new Date(hour).toISOString() });
    expect((await send({ events: [late] })).body.accepted).toBe(1);
    const { rows: days } = await db.knex.raw(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM wss_tracking_events WHERE client_event_id = ?`, [late.id]);
    const shanghaiDay = new Date(hour + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(days[0].day).toBe(shanghaiDay);
    expect(shanghaiDay).not.toBe(new Date(hour).toISOString().slice(0, 10));
  });

  it('keeps the good events of a mixed batch and rejects the bad ones with reasons', async () => {
    const good = event({ type: 'guide_view', guideVisitId: 'gv_2' });
    const batch = [
      event({ type: 'confirmed_add' }),
      good,
      event({ occurredAt: Date.now() + 3_600_000 }),
      event({ occurredAt: Date.now() - 30 * 86_400_000 }),
      event({ id: 'short' }),
      event({ type: 'jump_result', guideVisitId: 'gv_2' }),
      event({ type: 'add_click' }),
      event({ clientType: 'desktop', extra: 1 }),
      'not an object',
    ];
    const res = await send({ events: batch });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    const reasons = Object.fromEntries(res.body.rejected.map((r: any) => [r.index, r.reasons]));
    expect(Object.keys(reasons).map(Number)).toEqual([0, 2, 3, 4, 5, 6, 7, 8]);
    expect(reasons[0].type).toBe('unknown event type');
    expect(reasons[2].occurredAt).toBe('in the future');
    expect(reasons[3].occurredAt).toMatch(/older than/);
    expect(reasons[4].id).toMatch(/8-64/);
    expect(reasons[5].outcome).toBe('required for jump_result');
    expect(reasons[6].guideVisitId).toBe('required for add_click');
    expect(reasons[7].clientType).toBeTruthy();
    expect(reasons[7]._).toMatch(/unknown field/);
    expect(res.body.rejected[0].id).toBe(batch[0] && (batch[0] as any).id);
    expect((await rowsFor([good.id])).length).toBe(1);
    expect(await db.knex('wss_tracking_events').where('type', 'confirmed_add').count('* as n').first()).toEqual({ n: '0' });
  });

  it('is idempotent on the client event id: a resent batch and an in-batch repeat store nothing twice', async () => {
    const a = event();
    const b = event();
    const first = await send({ events: [a, b, a] });
    expect(first.body).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
    const again = await send({ events: [a, b] });
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    expect((await rowsFor([a.id, b.id])).length).toBe(2);
    // The sink saw each stored event once.
    expect(forwarded.filter((e) => e.clientEventId === a.id).length).toBe(1);
  });

  it('accepts a sendBeacon body (text/plain)', async () => {
    const e = event();
    const res = await send(JSON.stringify({ events: [e] }), { 'Content-Type': 'text/plain;charset=UTF-8' });
    expect(res.body.accepted).toBe(1);
  });

  it('rejects malformed and oversized batches as a whole', async () => {
    const malformed = await send('{"events": [', { 'Content-Type': 'text/plain' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');

    const notBatch = await send({ event: event() });
    expect(notBatch.status).toBe(400);
    expect(notBatch.body.error).toMatchObject({ code: 'invalid_batch', details: { fields: { events: 'required array' } } });

    const empty = await send({ events: [] });
    expect(empty.status).toBe(400);

    const tooMany = await send({ events: Array.from({ length: 101 }, () => event()) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('too_many_events');

    const big = await send({ events: [event({ props: { note: 'x'.repeat(200) } })], pad: 'y'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');

    // Chunked (no Content-Length) oversized body is cut off while reading.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"events":[],"pad":"'));
        controller.enqueue(new TextEncoder().encode('z'.repeat(80 * 1024)));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const chunked = await fetch(`${plugin.url}/plugins/wecom-store-service/public/events`, {
      method: 'POST', body: stream, headers: { 'Content-Type': 'text/plain' }, duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });

  it('stores a full batch through COPY with the Asia/Shanghai day, and a batch with one stored id through the fallback', async () => {
    const hour = Array.from({ length: 48 }, (_, k) => Date.now() - (k + 1) * 3_600_000).find((t) => new Date(t).getUTCHours() === 16)!;
    const batch = Array.from({ length: 100 }, (_, i) => event({ occurredAt: i === 0 ? hour : Date.now() - 1000 }));
    const sunkBefore = forwarded.length;
    expect((await send({ events: batch })).body).toEqual({ accepted: 100, duplicates: 0, rejected: [] });
    const { rows: days } = await db.knex.raw(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM wss_tracking_events WHERE client_event_id = ?`, [batch[0].id]);
    expect(days[0].day).toBe(new Date(hour + 8 * 3_600_000).toISOString().slice(0, 10));

    // 99 new + 1 already stored: COPY stores nothing, the INSERT … ON CONFLICT fallback keeps the 99.
    const mixed = [...Array.from({ length: 99 }, () => event()), batch[5]];
    expect((await send({ events: mixed })).body).toEqual({ accepted: 99, duplicates: 1, rejected: [] });
    expect((await rowsFor(mixed.map((e) => e.id))).length).toBe(100);
    const sunk = forwarded.slice(sunkBefore).map((e) => e.clientEventId);
    expect(sunk.length).toBe(199);
    expect(new Set(sunk).size).toBe(199);
  });

  it('concurrent requests sharing ids: each id stored once, owned by one request', async () => {
    const shared = Array.from({ length: 60 }, () => event());
    const bodies = Array.from({ length: 4 }, () => ({ events: [...shared, ...Array.from({ length: 40 }, () => event())] }));
    const answers = await Promise.all(bodies.map((b) => send(b)));
    const accepted = answers.reduce((n, a) => n + a.body.accepted, 0);
    const duplicates = answers.reduce((n, a) => n + a.body.duplicates, 0);
    expect(accepted).toBe(60 + 4 * 40);
    expect(duplicates).toBe(3 * 60);
    const ids = bodies.flatMap((b) => b.events.map((e) => e.id));
    expect((await rowsFor([...new Set(ids)])).length).toBe(220);
  });

  it('rejects a prop PostgreSQL cannot store (U+0000, unpaired surrogate) and keeps the rest of the batch', async () => {
    const good = Array.from({ length: 3 }, () => event());
    // Raw JSON text: the escapes reach the server as they would from a client.
    const text = JSON.stringify({ events: [good[0], event({ props: { note: 'NUL' } }), good[1], event({ props: { note: 'LONE' } }), good[2]] })
      .replace('"NUL"', '"a\\u0000b"')
      .replace('"LONE"', '"\\ud800"');
    expect(text).toContain('"a\\u0000b"');
    const res = await send(text, { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: any) => [r.index, r.reasons])).toEqual([
      [1, { 'props.note': 'must not contain U+0000 or unpaired surrogates' }],
      [3, { 'props.note': 'must not contain U+0000 or unpaired surrogates' }],
    ]);
    expect((await rowsFor(good.map((e) => e.id))).length).toBe(3);
  });

  it('limits events per visitor: the rest of the batch is rejected with a reason', async () => {
    const visitorId = 'flooder';
    const first = await send({ events: Array.from({ length: 40 }, () => event({ visitorId })) });
    expect(first.body.accepted).toBe(40);
    const second = await send({ events: [...Array.from({ length: 15 }, () => event({ visitorId })), event()] });
    expect(second.body.accepted).toBe(11);
    expect(second.body.rejected).toHaveLength(5);
    expect(second.body.rejected[0].reasons).toEqual({ visitorId: 'rate limited' });
  });
});

describe('per-IP limit and shutdown', () => {
  it('answers 429 past the per-IP limit, and close() stores every accepted event', async () => {
    const local = await createTestDatabase();
    const small = await startTestPlugin({ db: local.knex, config: { customerPath: { ingest: { perIpPerMinute: 250 } } } });
    const batches = Array.from({ length: 3 }, () => Array.from({ length: 100 }, () => event()));
    const answers = await Promise.all(batches.map((events) => small.request('/public/events', { method: 'POST', body: { events } })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 429]);
    expect(answers.find((a) => a.status === 429)!.body.error.code).toBe('rate_limited');

    // Writes in flight when the plugin closes are committed before close() resolves.
    const tracking = small.service.services.tracking;
    const pending = Array.from({ length: 20 }, (_, i) =>
      tracking.record([{
        clientEventId: `shutdown-${i}`, type: 'entry_click', storeId: 'S1', visitorId: 'v', orderId: null, clientType: 'h5',
        guideVisitId: null, outcome: null, occurredAt: new Date(), receivedAt: new Date(), props: null,
      }]),
    );
    await small.close();
    const stored = (await Promise.all(pending)).flat().length;
    expect(stored).toBe(20);
    expect(Number((await local.knex('wss_tracking_events').where('client_event_id', 'like', 'shutdown-%').count('* as n').first())!.n)).toBe(20);
    await expect(tracking.record([])).rejects.toThrow('closed');
    await local.destroy();
  });
});
