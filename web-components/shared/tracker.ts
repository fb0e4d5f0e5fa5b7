/**
 * Customer-path event client: batches events and sends them with navigator.sendBeacon (fetch
 * keepalive as the fallback), flushing on a short timer, at 20 events, and when the page is hidden
 * or left, so a navigation never drops the click that caused it.
 */
export interface TrackEventInput {
  type: 'order_result_view' | 'entry_click' | 'guide_view' | 'add_click' | 'jump_result';
  storeId: string;
  visitorId: string;
  orderId?: string;
  clientType: string;
  guideVisitId?: string;
  outcome?: 'ok' | 'failed';
  props?: Record<string, string | number | boolean | null>;
}

const MAX_BATCH = 20;
const FLUSH_DELAY_MS = 1000;
const trackers = new Map<string, Tracker>();

function eventId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}

export class Tracker {
  private queue: Record<string, unknown>[] = [];
  private timer?: number;

  constructor(private readonly endpoint: string) {
    const flushNow = () => this.flush();
    addEventListener('pagehide', flushNow);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flushNow();
    });
  }

  track(event: TrackEventInput): void {
    this.queue.push({ id: eventId(), occurredAt: Date.now(), ...event });
    if (this.queue.length >= MAX_BATCH) this.flush();
    else this.timer ??= window.setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Sends what is queued now (call before navigating away). */
  flush(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const events = this.queue.splice(0, MAX_BATCH);
      const body = JSON.stringify({ events });
      // text/plain keeps sendBeacon a "simple" request (no CORS preflight).
      const sent = typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(this.endpoint, new Blob([body], { type: 'text/plain;charset=UTF-8' }));
      if (!sent) {
        void fetch(this.endpoint, { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'text/plain;charset=UTF-8' } }).catch(() => undefined);
      }
    }
  }
}

/** One tracker per endpoint and page, shared by the elements on it. */
export function trackerFor(apiBase: string): Tracker {
  const endpoint = `${apiBase}/public/events`;
  let tracker = trackers.get(endpoint);
  if (!tracker) {
    tracker = new Tracker(endpoint);
    trackers.set(endpoint, tracker);
  }
  return tracker;
}

/** A stable anonymous visitor id for this browser when the host gives none. */
export function localVisitorId(): string {
  const key = 'wss-visitor-id';
  try {
    const existing = localStorage.getItem(key);
    if (existing) return existing;
    const id = `v_${eventId().replace(/-/g, '').slice(0, 24)}`;
    localStorage.setItem(key, id);
    return id;
  } catch {
    return `v_${eventId().replace(/-/g, '').slice(0, 24)}`;
  }
}
