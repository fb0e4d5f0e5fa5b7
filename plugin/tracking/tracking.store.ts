import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TrackedEvent } from './tracking.schema.js';

const COLUMNS = 'client_event_id, type, store_id, visitor_id, order_id, client_type, guide_visit_id, outcome, occurred_at, received_at, day, props';
const UNIQUE_VIOLATION = '23505';
const CLIENT_EVENT_ID_KEY = 'wss_tracking_events_client_event_id_key';
/** Local days are looked up per 15-minute UTC slice (every zone's offset is a multiple of 15 min). */
const SLICE_MS = 15 * 60_000;
const MAX_CACHED_SLICES = 4096;
/** PostgreSQL's epoch for binary timestamps (µs) and dates (days). */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const TWO_32 = 2 ** 32;

/**
 * Rows in PostgreSQL's binary COPY format (no text parsing of timestamps on the server):
 * text as UTF-8 bytes (the caller checked server_encoding = UTF8), timestamptz as int64 µs since
 * 2000-01-01 UTC, date as int32 days since 2000-01-01, jsonb as version 1 + JSON text.
 */
class BinaryRows {
  private buf: Buffer;
  private at = 0;

  constructor(rows: number) {
    this.buf = Buffer.allocUnsafe(64 + rows * 256);
    COPY_SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, 11); // flags
    this.buf.writeInt32BE(0, 15); // header extension length
    this.at = 19;
  }

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  row(fields: number) {
    this.room(2);
    this.buf.writeInt16BE(fields, this.at);
    this.at += 2;
  }

  text(value: string | null) {
    if (value === null) return this.null();
    this.room(4 + value.length * 3);
    const n = this.buf.write(value, this.at + 4, 'utf8');
    this.buf.writeInt32BE(n, this.at);
    this.at += 4 + n;
  }

  jsonb(value: string | null) {
    if (value === null) return this.null();
    this.room(5 + value.length * 3);
    this.buf[this.at + 4] = 1;
    const n = this.buf.write(value, this.at + 5, 'utf8');
    this.buf.writeInt32BE(n + 1, this.at);
    this.at += 5 + n;
  }

  timestamptz(ms: number) {
    const us = (ms - PG_EPOCH_MS) * 1000;
    const high = Math.floor(us / TWO_32);
    this.room(12);
    this.buf.writeInt32BE(8, this.at);
    this.buf.writeInt32BE(high, this.at + 4);
    this.buf.writeUInt32BE(us - high * TWO_32, this.at + 8);
    this.at += 12;
  }

  date(days: number) {
    this.room(8);
    this.buf.writeInt32BE(4, this.at);
    this.buf.writeInt32BE(days, this.at + 4);
    this.at += 8;
  }

  private null() {
    this.room(4);
    this.buf.writeInt32BE(-1, this.at);
    this.at += 4;
  }

  end(): Buffer {
    this.room(2);
    this.buf.writeInt16BE(-1, this.at);
    return this.buf.subarray(0, this.at + 2);
  }
}

/** Knex only. Append-only writes of tracking events; reads for the attribution and tests. */
export function createTrackingStore(db: Knex, timezone: string) {
  /**
   * The `timezone` calendar day (days since 2000-01-01) of each 15-minute UTC slice, asked of
   * PostgreSQL itself (so COPY rows get exactly the day the SQL path computes). `null`: the day
   * changes inside the slice (an offset that is not a multiple of 15 min): such rows take the
   * INSERT path.
   */
  const sliceDays = new Map<number, number | null>();
  /** Binary COPY needs a UTF8 database (no encoding conversion in binary COPY) and integer datetimes. */
  let binaryCopyUsable: boolean | undefined;

  async function lookUpSlices(conn: pg.Client, slices: number[]): Promise<void> {
    const { rows } = await conn.query<{ s: string; first: number; last: number }>(
      `SELECT s::text AS s,
              (to_timestamp(s * 900) AT TIME ZONE $2)::date - DATE '2000-01-01' AS first,
              (to_timestamp(s * 900 + 899.999) AT TIME ZONE $2)::date - DATE '2000-01-01' AS last
       FROM unnest($1::bigint[]) AS s`,
      [slices, timezone],
    );
    if (sliceDays.size + rows.length > MAX_CACHED_SLICES) sliceDays.clear();
    for (const r of rows) sliceDays.set(Number(r.s), r.first === r.last ? r.first : null);
  }

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

    /**
     * All-or-nothing COPY … FROM STDIN of events whose client ids are distinct (the caller checks):
     * `true` once every row is committed (the COPY is its own transaction; the stream finishes
     * after ReadyForQuery). `false` when nothing was stored because one id already exists (unique
     * violation rolls the whole COPY back), a row's day cannot be derived here, or binary COPY is
     * not usable (driver other than node-postgres, database not UTF8): the caller then uses
     * `insert()`, which skips existing ids. Other errors are thrown.
     */
    async copy(events: readonly TrackedEvent[]): Promise<boolean> {
      if (!events.length) return true;
      if (binaryCopyUsable === false) return false;
      const conn = (await db.client.acquireConnection()) as pg.Client & { connection?: unknown };
      try {
        // COPY needs node-postgres' protocol connection (not e.g. pg-native): else the INSERT path.
        if (!conn.connection) return false;
        if (binaryCopyUsable === undefined) {
          const { rows } = await conn.query<{ enc: string; idt: string }>(
            `SELECT current_setting('server_encoding') AS enc, current_setting('integer_datetimes') AS idt`,
          );
          binaryCopyUsable = rows[0].enc === 'UTF8' && rows[0].idt === 'on';
          if (!binaryCopyUsable) return false;
        }
        const missing = new Set<number>();
        for (const e of events) {
          const slice = Math.floor(e.occurredAt.getTime() / SLICE_MS);
          if (!sliceDays.has(slice)) missing.add(slice);
        }
        if (missing.size) await lookUpSlices(conn, [...missing]);

        const out = new BinaryRows(events.length);
        for (const e of events) {
          const occurred = e.occurredAt.getTime();
          const day = sliceDays.get(Math.floor(occurred / SLICE_MS));
          if (day == null) return false;
          out.row(12);
          out.text(e.clientEventId);
          out.text(e.type);
          out.text(e.storeId);
          out.text(e.visitorId);
          out.text(e.orderId);
          out.text(e.clientType);
          out.text(e.guideVisitId);
          out.text(e.outcome);
          out.timestamptz(occurred);
          out.timestamptz(e.receivedAt.getTime());
          out.date(day);
          out.jsonb(e.props ? JSON.stringify(e.props) : null);
        }
        try {
          await new Promise<void>((resolve, reject) => {
            const stream = conn.query(copyFrom(`COPY wss_tracking_events (${COLUMNS}) FROM STDIN (FORMAT binary)`));
            stream.on('error', reject);
            stream.on('finish', resolve);
            stream.end(out.end());
          });
        } catch (error) {
          const e = error as { code?: string; constraint?: string };
          if (e.code === UNIQUE_VIOLATION && e.constraint === CLIENT_EVENT_ID_KEY) return false;
          throw error;
        }
        return true;
      } finally {
        await db.client.releaseConnection(conn);
      }
    },
  };
}

export type TrackingStore = ReturnType<typeof createTrackingStore>;
