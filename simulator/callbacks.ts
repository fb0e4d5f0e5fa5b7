/**
 * Sends encrypted change_external_contact callbacks to the configured URL, in order per member,
 * retrying when the receiver does not answer 200 in time (WeCom: 5 s, then up to 3 retries).
 */
import { buildEventXml, sealCallback } from './sealing.js';
import type { SimState } from './state.js';

export interface CallbackTarget {
  url: string;
  token: string;
  encodingAesKey: string;
}

export interface ChangeEventInput {
  /** Default change_external_contact; customer_acquisition for quota and link events. */
  event?: string;
  changeType: string;
  userid: string;
  externalUserId: string;
  state?: string;
  welcomeCode?: string;
  source?: string;
  /** transfer_fail: customer_refused or customer_limit_exceed. */
  failReason?: string;
  linkId?: string;
}

export interface CallbackAttempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface CallbackRecord extends ChangeEventInput {
  id: number;
  createTime: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped' | 'skipped';
  attempts: CallbackAttempt[];
}

export interface DispatcherOptions {
  state: SimState;
  target: () => CallbackTarget | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

export interface Enqueued {
  record: CallbackRecord;
  firstAttempt: Promise<void>;
  delivered: Promise<void>;
}

export function createCallbackDispatcher(options: DispatcherOptions) {
  const records: CallbackRecord[] = [];
  const queues = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  let sequence = 0;

  async function attempt(record: CallbackRecord, target: CallbackTarget, xml: string): Promise<boolean> {
    const sealed = sealCallback({ token: target.token, encodingAesKey: target.encodingAesKey, corpId: options.state.corpId, agentId: options.state.agentId }, xml);
    const url = new URL(target.url);
    for (const [name, value] of Object.entries(sealed.query)) url.searchParams.set(name, value);
    const started = Date.now();
    const entry: CallbackAttempt = { at: new Date(started).toISOString(), durationMs: 0 };
    record.attempts.push(entry);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: sealed.body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      entry.status = response.status;
      await response.text().catch(() => '');
      return response.status === 200;
    } catch (error) {
      entry.error = error instanceof Error ? error.name === 'TimeoutError' ? 'timeout' : error.message : String(error);
      return false;
    } finally {
      entry.durationMs = Date.now() - started;
    }
  }

  async function deliver(record: CallbackRecord, onFirstAttempt: () => void): Promise<void> {
    const target = options.target();
    if (!target) {
      record.status = 'skipped';
      onFirstAttempt();
      return;
    }
    if (options.state.dropCallbacksRemaining > 0) {
      options.state.dropCallbacksRemaining -= 1;
      record.status = 'dropped';
      onFirstAttempt();
      return;
    }
    const xml = buildEventXml({
      ToUserName: options.state.corpId,
      FromUserName: 'sys',
      CreateTime: record.createTime,
      MsgType: 'event',
      Event: record.event ?? 'change_external_contact',
      ChangeType: record.changeType,
      UserID: record.userid || undefined,
      ExternalUserID: record.externalUserId || undefined,
      LinkId: record.linkId,
      State: record.state,
      WelcomeCode: record.welcomeCode,
      Source: record.source,
      FailReason: record.failReason,
    });
    for (let tryIndex = 0; tryIndex <= options.retries; tryIndex += 1) {
      if (tryIndex > 0 && options.retryDelayMs > 0) await new Promise((r) => setTimeout(r, options.retryDelayMs));
      const ok = await attempt(record, target, xml);
      if (tryIndex === 0) onFirstAttempt();
      if (ok) {
        record.status = 'delivered';
        return;
      }
    }
    record.status = 'failed';
  }

  return {
    records,

    enqueue(input: ChangeEventInput): Enqueued {
      sequence += 1;
      const record: CallbackRecord = {
        ...input,
        id: sequence,
        createTime: Math.floor(Date.now() / 1000),
        status: 'pending',
        attempts: [],
      };
      records.push(record);
      let markFirst: () => void = () => undefined;
      const firstAttempt = new Promise<void>((resolve) => {
        markFirst = resolve;
      });
      const previous = queues.get(input.userid) ?? Promise.resolve();
      const delivered = previous.then(() => deliver(record, markFirst)).catch(() => {
        record.status = 'failed';
        markFirst();
      });
      queues.set(input.userid, delivered);
      inFlight.add(delivered);
      void delivered.finally(() => {
        inFlight.delete(delivered);
        if (queues.get(input.userid) === delivered) queues.delete(input.userid);
      });
      return { record, firstAttempt, delivered };
    },

    get pending(): number {
      return inFlight.size;
    },

    /** Resolves once every queued callback finished (delivered, failed, dropped or skipped). */
    async waitForIdle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },

    clear(): void {
      records.length = 0;
    },
  };
}

export type CallbackDispatcher = ReturnType<typeof createCallbackDispatcher>;
