import type { Knex } from 'knex';
import type { TrackedEvent } from './tracking.schema.js';

/** Knex only. Append-only writes of tracking events; reads for the attribution and tests. */
export function createTrackingStore(db: Knex, timezone: string) {
  return {
    /**
     * One multi-row INSERT … ON CONFLICT DO NOTHING: returns the client event ids actually inserted
     * (the others were already stored). `day` is the local calendar day of the client time.
     */
    async insert(events: readonly TrackedEvent[]): Promise<Set<string>> {
      if (!events.length) return new Set();
      const col = <T>(pick: (e: TrackedEvent) => T) => events.map(pick);
      const { rows } = await db.raw<{ rows: { client_event_id: string }[] }>(
        `INSERT INTO wss_tracking_events
           (client_event_id, type, store_id, visitor_id, order_id, client_type, guide_visit_id, outcome,
            occurred_at, received_at, day, props)
         SELECT e.id, e.type, e.store_id, e.visitor_id, e.order_id, e.client_type, e.guide_visit_id, e.outcome,
                e.occurred_at, e.received_at, (e.occurred_at AT TIME ZONE ?)::date, e.props
         FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                     ?::timestamptz[], ?::timestamptz[], ?::jsonb[])
           AS e(id, type, store_id, visitor_id, order_id, client_type, guide_visit_id, outcome, occurred_at, received_at, props)
         ON CONFLICT (client_event_id) DO NOTHING
         RETURNING client_event_id`,
        [
          timezone,
          col((e) => e.clientEventId),
          col((e) => e.type),
          col((e) => e.storeId),
          col((e) => e.visitorId),
          col((e) => e.orderId),
          col((e) => e.clientType),
          col((e) => e.guideVisitId),
          col((e) => e.outcome),
          col((e) => e.occurredAt.toISOString()),
          col((e) => e.receivedAt.toISOString()),
          col((e) => (e.props ? JSON.stringify(e.props) : null)),
        ] as unknown as Knex.RawBinding[],
      );
      return new Set(rows.map((r) => r.client_event_id));
    },
  };
}

export type TrackingStore = ReturnType<typeof createTrackingStore>;
