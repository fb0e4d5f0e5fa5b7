import { describe, expect, it } from 'vitest';
import { clientEventSchema, validClientEvent } from '../../plugin/tracking/tracking.schema.js';

/**
 * The hot-path check must never accept what the schema rejects (the schema gives the reasons), and
 * must accept the ordinary valid events (else it saves nothing). Deterministic pseudo-random cases.
 */
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

const TYPES = ['order_result_view', 'entry_click', 'guide_view', 'add_click', 'jump_result'];

function validEvent(): Record<string, unknown> {
  const type = pick(TYPES);
  const e: Record<string, unknown> = {
    id: `evt_${Math.floor(rand() * 1e12)}`,
    type,
    storeId: `S${Math.floor(rand() * 100)}`,
    visitorId: `v:${Math.floor(rand() * 100)}.x`,
    clientType: pick(['app', 'miniprogram', 'h5']),
    occurredAt: rand() < 0.7 ? Date.now() - Math.floor(rand() * 1e6) : new Date(Date.now() - 1000).toISOString().replace('Z', pick(['Z', '+08:00', '-03:30'])),
  };
  if (rand() < 0.5) e.orderId = `O-${Math.floor(rand() * 1e6)}`;
  if (['guide_view', 'add_click', 'jump_result'].includes(type) || rand() < 0.2) e.guideVisitId = `gv_${Math.floor(rand() * 1e6)}`;
  if (type === 'jump_result') e.outcome = pick(['ok', 'failed']);
  if (rand() < 0.3) e.props = { via: 'qr', n: 3, ok: true, none: null, note: '中文 😀' };
  return e;
}

const BAD_VALUES: unknown[] = [
  undefined, null, '', 'x', 'short', 'a'.repeat(65), 'a b', 'é', 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, true, [], {}, ['a'],
  'confirmed_add', 'desktop', 'maybe', '2026-01-01T00:00:00', '2026-01-01', '2026-01-01T00:00:00+08:00', 'x\u0000', '\ud800', 'a'.repeat(201),
  { a: 1 }, { a: 'x\u0000' }, { ['k\u0000']: 1 }, { a: '\udc00x' }, { a: [1] }, { a: { b: 1 } }, { a: 'a'.repeat(201) }, { ['k'.repeat(41)]: 1 },
  Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])), JSON.parse('{"__proto__": 1}'),
];
const FIELDS = ['id', 'type', 'storeId', 'visitorId', 'orderId', 'clientType', 'guideVisitId', 'outcome', 'occurredAt', 'props', 'extra'];

function mutate(e: Record<string, unknown>): unknown {
  const r = rand();
  if (r < 0.05) return pick([null, 'event', 42, [e], JSON.stringify(e)]);
  const copy: Record<string, unknown> = { ...e };
  const changes = 1 + Math.floor(rand() * 2);
  for (let i = 0; i < changes; i++) {
    const field = pick(FIELDS);
    if (rand() < 0.3) delete copy[field];
    else copy[field] = pick(BAD_VALUES);
  }
  return copy;
}

describe('hot-path event check', () => {
  it('accepts ordinary valid events, exactly like the schema', () => {
    for (let i = 0; i < 3000; i++) {
      const e = JSON.parse(JSON.stringify(validEvent())) as unknown;
      expect(clientEventSchema.safeParse(e).success).toBe(true);
      expect(validClientEvent(e)).toBe(e);
    }
  });

  it('never accepts an event the schema rejects', () => {
    let rejectedBySchema = 0;
    let acceptedByFast = 0;
    for (let i = 0; i < 20_000; i++) {
      const raw = mutate(validEvent());
      const e = typeof raw === 'object' && raw !== null ? (JSON.parse(JSON.stringify(raw)) as unknown) : raw;
      const schema = clientEventSchema.safeParse(e).success;
      const fast = validClientEvent(e) !== undefined;
      if (!schema) rejectedBySchema++;
      if (fast) acceptedByFast++;
      if (fast && !schema) throw new Error(`fast check accepted an invalid event: ${JSON.stringify(e)}`);
    }
    // The mutations must exercise both sides.
    expect(rejectedBySchema).toBeGreaterThan(10_000);
    expect(acceptedByFast).toBeGreaterThan(500);
  });

  it('leaves values JSON cannot produce to the schema', () => {
    const base = JSON.parse(JSON.stringify(validEvent())) as Record<string, unknown>;
    expect(validClientEvent({ ...base, orderId: undefined })).toBeUndefined();
    expect(validClientEvent(Object.assign(Object.create(null), base))).toBeUndefined();
    expect(validClientEvent({ ...base, props: new Map() })).toBeUndefined();
  });

  it('rejects props PostgreSQL cannot store, with a reason', () => {
    const base = { id: 'evt_12345678', type: 'entry_click', storeId: 'S1', visitorId: 'v1', clientType: 'h5', occurredAt: Date.now() };
    for (const props of [{ a: 'x\u0000y' }, { a: 'x\ud800' }, { a: '\udc00' }]) {
      const parsed = clientEventSchema.safeParse({ ...base, props });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]).toMatchObject({ path: ['props', 'a'], message: 'must not contain U+0000 or unpaired surrogates' });
    }
    expect(clientEventSchema.safeParse({ ...base, props: { ['k\u0000']: 1 } }).success).toBe(false);
    expect(clientEventSchema.safeParse({ ...base, props: { a: 'paired 😀 ok' } }).success).toBe(true);
  });
});
