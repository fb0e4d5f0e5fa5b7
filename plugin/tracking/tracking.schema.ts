import { z } from 'zod';
import { isStorable } from '../core/text.js';

/** Event types a client may send. */
export const CLIENT_EVENT_TYPES = ['order_result_view', 'entry_click', 'guide_view', 'add_click', 'jump_result'] as const;
/** Recorded by the server only (from the WeCom callback): a confirmed add attributed through `state`. */
export const CONFIRMED_ADD = 'confirmed_add';
export const CLIENT_TYPES = ['app', 'miniprogram', 'h5'] as const;

export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];
export type EventType = ClientEventType | typeof CONFIRMED_ADD;

export const MAX_EVENTS_PER_BATCH = 100;
export const MAX_BATCH_BYTES = 64 * 1024;

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . : -');
/** A prop PostgreSQL cannot store would fail the whole statement, so it is rejected with the event. */
const storable = isStorable;
const STORABLE = 'must not contain U+0000 or unpaired surrogates';
const propValue = z.union([z.string().max(200).refine(storable, STORABLE), z.number(), z.boolean(), z.null()]);
const VISIT_TYPES: readonly string[] = ['guide_view', 'add_click', 'jump_result'];

/** One event as a client sends it. Time checks (future / too old) happen in the service. */
export const clientEventSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'client event id: 8-64 characters of A-Z a-z 0-9 _ -'),
    type: z.enum(CLIENT_EVENT_TYPES, { error: 'unknown event type' }),
    storeId: id,
    visitorId: id,
    orderId: id.optional(),
    clientType: z.enum(CLIENT_TYPES, { error: 'must be app, miniprogram or h5' }),
    guideVisitId: id.optional(),
    outcome: z.enum(['ok', 'failed']).optional(),
    occurredAt: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })], { error: 'epoch milliseconds or an ISO time with offset' }),
    props: z
      .record(z.string().max(40).refine(storable, STORABLE), propValue)
      .refine((p) => Object.keys(p).length <= 20, 'at most 20 props')
      .optional(),
  })
  .strict()
  .superRefine((event, ctx) => {
    if (event.type === 'jump_result' && !event.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'required for jump_result' });
    if (event.type !== 'jump_result' && event.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'only for jump_result' });
    if (VISIT_TYPES.includes(event.type) && !event.guideVisitId) {
      ctx.addIssue({ code: 'custom', path: ['guideVisitId'], message: `required for ${event.type}` });
    }
  });

export type ClientEvent = z.infer<typeof clientEventSchema>;

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const CLIENT_EVENT_KEYS = new Set(['id', 'type', 'storeId', 'visitorId', 'orderId', 'clientType', 'guideVisitId', 'outcome', 'occurredAt', 'props']);
const isoWithOffset = z.iso.datetime({ offset: true });
const isId = (v: unknown) => typeof v === 'string' && ID.test(v);
const isOptionalId = (v: unknown) => v === undefined || isId(v);

function validProps(props: unknown): boolean {
  if (props === undefined) return true;
  if (typeof props !== 'object' || props === null || Array.isArray(props) || Object.getPrototypeOf(props) !== Object.prototype) return false;
  let n = 0;
  for (const key in props) {
    if (!Object.hasOwn(props, key)) return false;
    if (++n > 20 || key.length > 40 || key === '__proto__' || !storable(key)) return false;
    const v = (props as Record<string, unknown>)[key];
    if (typeof v === 'string' ? v.length > 200 || !storable(v) : !(v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) return false;
  }
  return true;
}

/**
 * Hot-path check of one event: returns it when it is certainly valid under `clientEventSchema`,
 * `undefined` when in doubt (the caller then runs the schema, which gives the reasons). It only
 * ever accepts what the schema accepts (test/tracking/validator.test.ts compares both), so
 * reasons and outcomes are those of the schema; it is much cheaper for a valid event.
 */
export function validClientEvent(raw: unknown): ClientEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return undefined;
  const e = raw as Record<string, unknown>;
  for (const key in e) {
    if (!CLIENT_EVENT_KEYS.has(key) || e[key] === undefined) return undefined;
  }
  const type = e.type;
  if (typeof e.id !== 'string' || !CLIENT_ID.test(e.id)) return undefined;
  if (typeof type !== 'string' || !(CLIENT_EVENT_TYPES as readonly string[]).includes(type)) return undefined;
  if (!isId(e.storeId) || !isId(e.visitorId) || !isOptionalId(e.orderId) || !isOptionalId(e.guideVisitId)) return undefined;
  if (typeof e.clientType !== 'string' || !(CLIENT_TYPES as readonly string[]).includes(e.clientType)) return undefined;
  if (type === 'jump_result' ? e.outcome !== 'ok' && e.outcome !== 'failed' : e.outcome !== undefined) return undefined;
  if (VISIT_TYPES.includes(type) && e.guideVisitId === undefined) return undefined;
  const at = e.occurredAt;
  if (typeof at === 'number' ? !(Number.isSafeInteger(at) && at > 0) : typeof at !== 'string' || !isoWithOffset.safeParse(at).success) return undefined;
  if (!validProps(e.props)) return undefined;
  return raw as ClientEvent;
}

/** A row of wss_tracking_events as the writer inserts it. */
export interface TrackedEvent {
  clientEventId: string;
  type: EventType;
  storeId: string;
  visitorId: string;
  orderId: string | null;
  clientType: string | null;
  guideVisitId: string | null;
  outcome: string | null;
  occurredAt: Date;
  receivedAt: Date;
  props: Record<string, unknown> | null;
}

/** Lets a host forward accepted events to its own tracking system (after they are stored). */
export interface TrackingSink {
  name: string;
  write(events: readonly TrackedEvent[]): Promise<void>;
}
