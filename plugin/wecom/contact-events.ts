import type { Logger } from '../logger.js';
import type { AppliedCallbackEvent } from './callback.service.js';

export type ContactEventListener = (event: AppliedCallbackEvent) => void | Promise<void>;

/**
 * Fan-out of applied WeCom contact events to the features that react to them (attribution,
 * capacity thresholds). A failing listener is logged and does not stop the others: the event is
 * already committed, and each listener's own work is idempotent.
 */
export function createContactEvents(logger: Logger) {
  const listeners: ContactEventListener[] = [];
  return {
    on(listener: ContactEventListener): void {
      listeners.push(listener);
    },
    async emit(event: AppliedCallbackEvent): Promise<void> {
      for (const listener of listeners) {
        try {
          await listener(event);
        } catch (err) {
          logger.error('contact event listener failed', { eventId: event.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    },
  };
}

export type ContactEvents = ReturnType<typeof createContactEvents>;
