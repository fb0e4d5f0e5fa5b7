import type { TrackedEvent } from './tracking.schema.js';
import type { TrackingStore } from './tracking.store.js';

function distinctIds(events: readonly TrackedEvent[]): boolean {
  const ids = new Set<string>();
  for (const e of events) {
    if (ids.has(e.clientEventId)) return false;
    ids.add(e.clientEventId);
  }
  return true;
}

interface PendingWrite {
  events: readonly TrackedEvent[];
  resolve(inserted: TrackedEvent[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: concurrent requests' events are merged into one statement (at most
 * `maxConcurrent` statements in flight, each up to `maxRows` rows). The first statement starts at
 * once; a further one only when `extraStatementRows` rows wait, else they make the next group
 * (many small statements cost more per row than one larger one). A group of at least
 * `copyMinRows` distinct ids goes in with COPY (all-or-nothing); when an id already exists the
 * COPY stores nothing and the group falls back to the multi-row INSERT … ON CONFLICT DO NOTHING,
 * which smaller groups use directly. A request is answered only after its rows are committed, so
 * an accepted event is never held only in memory and nothing accepted can be lost on shutdown;
 * `close()` waits for the writes in flight. A failed group of several requests is retried one
 * request at a time, so one request's bad row cannot fail the others.
 */
export function createEventWriter(deps: {
  store: Pick<TrackingStore, 'insert' | 'copy'>;
  maxRows?: number;
  maxConcurrent?: number;
  copyMinRows?: number;
  extraStatementRows?: number;
}) {
  const maxRows = deps.maxRows ?? 5000;
  const maxConcurrent = deps.maxConcurrent ?? 2;
  const copyMinRows = deps.copyMinRows ?? 100;
  const extraStatementRows = deps.extraStatementRows ?? 500;
  const queue: PendingWrite[] = [];
  let queuedRows = 0;
  let active = 0;
  let closing = false;
  let idle: (() => void) | null = null;

  function pump() {
    // The first statement starts at once (no added latency when quiet); another one only when
    // enough rows wait, otherwise they join the group that starts when the statement in flight ends.
    while (active < maxConcurrent && queue.length && (active === 0 || queuedRows >= extraStatementRows)) {
      const group: PendingWrite[] = [];
      let rows = 0;
      while (queue.length && (rows === 0 || rows + queue[0].events.length <= maxRows)) {
        const next = queue.shift()!;
        group.push(next);
        rows += next.events.length;
      }
      queuedRows -= rows;
      active += 1;
      void flush(group).finally(() => {
        active -= 1;
        if (!active && !queue.length) idle?.();
        pump();
      });
    }
  }

  /** Stores one group; resolves each write with its newly stored events. */
  async function store(group: PendingWrite[]): Promise<void> {
    const events = group.length === 1 ? group[0].events : group.flatMap((w) => w.events);
    if (events.length >= copyMinRows && distinctIds(events) && (await deps.store.copy(events))) {
      for (const write of group) write.resolve([...write.events]);
      return;
    }
    const inserted = await deps.store.insert(events);
    // The same id in two requests of one group: the first request owns it, the second sees a duplicate.
    for (const write of group) {
      const mine: TrackedEvent[] = [];
      for (const event of write.events) {
        if (inserted.delete(event.clientEventId)) mine.push(event);
      }
      write.resolve(mine);
    }
  }

  async function flush(group: PendingWrite[]) {
    try {
      await store(group);
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      for (const write of group) {
        await store([write]).catch((e: unknown) => write.reject(e));
      }
    }
  }

  return {
    /** Resolves with the events that were new (the others were already stored) once committed. */
    write(events: readonly TrackedEvent[]): Promise<TrackedEvent[]> {
      if (closing) return Promise.reject(new Error('event writer is closed'));
      if (!events.length) return Promise.resolve([]);
      return new Promise((resolve, reject) => {
        queue.push({ events, resolve, reject });
        queuedRows += events.length;
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
