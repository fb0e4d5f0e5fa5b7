import { z } from 'zod';

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
const propValue = z.union([z.string().max(200), z.number(), z.boolean(), z.null()]);
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
      .record(z.string().max(40), propValue)
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
