import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';
import { InputError, rateLimited } from '../core/errors.js';
import { createWindowCounter } from '../core/window-counter.js';
import type { IngestResult, RejectedEvent } from '../contract/index.js';
import { createEventWriter } from './event-writer.js';
import type { IngestConfig } from './tracking.config.js';
import {
  clientEventSchema, MAX_EVENTS_PER_BATCH, validClientEvent, type ClientEvent, type TrackedEvent, type TrackingSink,
} from './tracking.schema.js';
import type { TrackingStore } from './tracking.store.js';

export interface TrackingService {
  /** Parses one batch body `{ events: [...] }` (≤100 events; the route enforces ≤64 KB). */
  ingest(body: unknown, clientIp: string): Promise<IngestResult>;
  /** Server-side events (confirmed adds): same table, same idempotency, same sinks. */
  record(events: TrackedEvent[]): Promise<TrackedEvent[]>;
  /** A host's own tracking system gets every stored event after the commit (best effort). */
  addSink(sink: TrackingSink): void;
  /** Waits for every write in flight and every sink delivery; later writes are refused. */
  close(): Promise<void>;
}

/**
 * Validates and stores customer-path events. Each event is judged on its own: bad ones come back
 * with reasons, good ones in the same batch are kept. Stored events go to the host's sinks after
 * the commit (best effort, never blocking the client).
 */
export function createTrackingService(deps: {
  store: TrackingStore;
  config: IngestConfig;
  logger: Logger;
  sinks?: TrackingSink[];
  now?: () => number;
  metrics?: PluginMetrics;
}): TrackingService {
  const { store, config, logger } = deps;
  const counted = (deps.metrics ?? detachedMetrics()).trackingEvents;
  const now = deps.now ?? Date.now;
  const writer = createEventWriter({ store });
  const sinks = [...(deps.sinks ?? [])];
  const inFlightSinks = new Set<Promise<void>>();
  const perIp = createWindowCounter(config.perIpPerMinute, 60_000, now);
  const perVisitor = createWindowCounter(config.perVisitorPerMinute, 60_000, now);

  function forward(events: TrackedEvent[]) {
    if (!events.length) return;
    for (const sink of sinks) {
      const delivery = sink.write(events).catch((error: unknown) => {
        logger.warn('tracking sink failed', { sink: sink.name, events: events.length, error: error instanceof Error ? error.message : String(error) });
      });
      inFlightSinks.add(delivery);
      void delivery.finally(() => inFlightSinks.delete(delivery));
    }
  }

  function checkTime(event: ClientEvent, receivedAt: number): { at: Date } | { reason: string } {
    const at = new Date(event.occurredAt);
    const t = at.getTime();
    if (Number.isNaN(t)) return { reason: 'not a time' };
    if (t > receivedAt + config.maxClockSkewSeconds * 1000) return { reason: 'in the future' };
    if (t < receivedAt - config.maxAgeHours * 3_600_000) return { reason: `older than ${config.maxAgeHours} h` };
    return { at };
  }

  return {
    async ingest(body, clientIp) {
      const list = (body as { events?: unknown } | null)?.events;
      if (!body || typeof body !== 'object' || !Array.isArray(list)) {
        throw new InputError('Invalid batch: expected { "events": [...] }', { events: 'required array' }, 'invalid_batch');
      }
      if (list.length === 0) throw new InputError('Invalid batch: no events', { events: 'empty' }, 'invalid_batch');
      if (list.length > MAX_EVENTS_PER_BATCH) {
        throw new InputError(`Invalid batch: at most ${MAX_EVENTS_PER_BATCH} events`, { events: `more than ${MAX_EVENTS_PER_BATCH}` }, 'too_many_events');
      }
      if (!perIp.take(clientIp, list.length)) {
        counted.inc({ outcome: 'rejected' }, list.length);
        throw rateLimited('请求过于频繁 (too many events from this address)');
      }
      const receivedAt = now();
      const receivedDate = new Date(receivedAt);
      const rejected: RejectedEvent[] = [];
      const good: TrackedEvent[] = [];
      const seen = new Set<string>();
      let duplicates = 0;
      for (let index = 0; index < list.length; index++) {
        const raw: unknown = list[index];
        // Cheap check first; the schema runs only for events it is not sure about (and gives the reasons).
        let event = validClientEvent(raw);
        if (!event) {
          const parsed = clientEventSchema.safeParse(raw);
          if (!parsed.success) {
            const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? ((raw as { id: string }).id) : undefined;
            const reasons: Record<string, string> = {};
            for (const issue of parsed.error.issues) {
              const field = issue.path.join('.') || '_';
              reasons[field] ??= issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message;
            }
            rejected.push({ index, id: rawId, reasons });
            continue;
          }
          event = parsed.data;
        }
        const time = checkTime(event, receivedAt);
        if ('reason' in time) {
          rejected.push({ index, id: event.id, reasons: { occurredAt: time.reason } });
          continue;
        }
        if (seen.has(event.id)) {
          duplicates += 1;
          continue;
        }
        if (!perVisitor.take(event.visitorId)) {
          rejected.push({ index, id: event.id, reasons: { visitorId: 'rate limited' } });
          continue;
        }
        seen.add(event.id);
        good.push({
          clientEventId: event.id,
          type: event.type,
          storeId: event.storeId,
          visitorId: event.visitorId,
          orderId: event.orderId ?? null,
          clientType: event.clientType,
          guideVisitId: event.guideVisitId ?? null,
          outcome: event.outcome ?? null,
          occurredAt: time.at,
          receivedAt: receivedDate,
          props: event.props ?? null,
        });
      }
      const stored = await writer.write(good);
      duplicates += good.length - stored.length;
      forward(stored);
      counted.inc({ outcome: 'accepted' }, stored.length);
      counted.inc({ outcome: 'duplicate' }, duplicates);
      counted.inc({ outcome: 'rejected' }, rejected.length);
      return { accepted: stored.length, duplicates, rejected };
    },

    async record(events) {
      const stored = await writer.write(events);
      forward(stored);
      return stored;
    },

    addSink(sink) {
      sinks.push(sink);
    },

    async close() {
      await writer.close();
      await Promise.allSettled([...inFlightSinks]);
    },
  };
}

