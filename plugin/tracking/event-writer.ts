import type { TrackedEvent } from './tracking.schema.js';
import type { TrackingStore } from './tracking.store.js';

interface PendingWrite {
  events: readonly TrackedEvent[];
  resolve(inserted: TrackedEvent[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: concurrent requests' events are merged into one multi-row INSERT (at most
 * `maxConcurrent` statements in flight, each up to `maxRows` rows). A request is answered only
 * after its rows are committed, so an accepted event is never held only in memory and nothing
 * accepted can be lost on shutdown; `close()` waits for the writes in flight.
 */
export function createEventWriter(deps: { store: TrackingStore; maxRows?: number; maxConcurrent?: number }) {
  const maxRows = deps.maxRows ?? 5000;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  const queue: PendingWrite[] = [];
  let active = 0;
  let closing = false;
  let idle: (() => void) | null = null;

  function pump() {
    while (active < maxConcurrent && queue.length) {
      const group: PendingWrite[] = [];
      let rows = 0;
      while (queue.length && (rows === 0 || rows + queue[0].events.length <= maxRows)) {
        const next = queue.shift()!;
        group.push(next);
        rows += next.events.length;
      }
      active += 1;
      void flush(group).finally(() => {
        active -= 1;
        if (!active && !queue.length) idle?.();
        pump();
      });
    }
  }

  async function flush(group: PendingWrite[]) {
    try {
      const inserted = await deps.store.insert(group.flatMap((w) => w.events));
      // The same id in two requests of one group: the first request owns it, the second sees a duplicate.
      for (const write of group) {
        const mine: TrackedEvent[] = [];
        for (const event of write.events) {
          if (inserted.delete(event.clientEventId)) mine.push(event);
        }
        write.resolve(mine);
      }
    } catch (error) {
      for (const write of group) write.reject(error);
    }
  }

  return {
    /** Resolves with the events that were new (the others were already stored) once committed. */
    write(events: readonly TrackedEvent[]): Promise<TrackedEvent[]> {
      if (closing) return Promise.reject(new Error('event writer is closed'));
      if (!events.length) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        pump();
      });
    },
    async close(): Promise<void> {
      closing = true;
      if (!active && !queue.length) return;
      await new Promise<void>((resolve) => (idle = resolve));
    },
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
