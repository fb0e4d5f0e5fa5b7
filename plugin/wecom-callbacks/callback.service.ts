/**
 * WeCom callbacks: verify and decrypt, store the raw event (deduplicated) before answering, then
 * apply it to wss_wecom_contacts and the account's live customer_count.
 */
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { createCallbackCrypto, type CallbackSecrets, type SignedQuery, type WecomCallbackEvent } from './callback-crypto.js';
import { createCallbackStore, type CallbackEventRow, type CallbackStore } from './callback.store.js';

/** A WeCom contact event once applied and committed (what the reacting features receive). */
export interface ContactChange {
  id: string;
  changeType: string | null;
  userId: string | null;
  externalUserId: string | null;
  createTime: number;
  state: string | null;
  welcomeCode: string | null;
  /** The account's live count after the change, when the event changed contacts. */
  customerCount?: number;
}

/**
 * A feature that reacts to applied contact events (attribution, capacity). Each one's work must be
 * idempotent: the event is already committed, and a failing listener is logged, not retried.
 */
export interface ContactChangeListener {
  contactChanged(event: ContactChange): Promise<unknown>;
}

export interface WecomCallbacksService {
  /** GET URL check; returns the bare plaintext to answer. Throws CallbackVerificationError. */
  verifyUrl(query: Partial<SignedQuery> & { echostr?: string }): string;
  /**
   * POST: verifies, decrypts and stores the event, then schedules processing without waiting for it.
   * Throws CallbackVerificationError (nothing stored) for forged or malformed callbacks.
   */
  receive(query: Partial<SignedQuery>, body: string): Promise<{ eventId?: string; duplicate: boolean }>;
  /** Applies one stored event once (row lock + processed_at); false if already done. */
  processEvent(id: string): Promise<boolean>;
  /** Job `wecom-callback-replay`: applies events left unprocessed (e.g. the process stopped after storing them). */
  processPending(limit?: number, signal?: AbortSignal): Promise<number>;
  /** Resolves when background processing started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export interface WecomCallbackServiceDeps {
  db: Knex;
  secrets: CallbackSecrets;
  logger: Logger;
  store?: CallbackStore;
  listeners: ContactChangeListener[];
}

const CONTACT_EVENT = 'change_external_contact';

export function callbackDedupeKey(event: Pick<WecomCallbackEvent, 'changeType' | 'event' | 'userId' | 'externalUserId' | 'createTime'>): string {
  return [event.changeType ?? event.event, event.userId ?? '', event.externalUserId ?? '', event.createTime].join('|');
}

export function createWecomCallbackService(deps: WecomCallbackServiceDeps): WecomCallbacksService {
  const crypto = createCallbackCrypto(deps.secrets);
  const store = deps.store ?? createCallbackStore(deps.db);
  const { logger } = deps;
  const running = new Set<Promise<unknown>>();

  async function apply(trx: Knex.Transaction, row: CallbackEventRow): Promise<number | undefined> {
    const userid = row.user_id;
    const externalUserId = row.external_userid;
    if (row.event !== CONTACT_EVENT || !userid || !externalUserId) return undefined;
    const at = new Date(Number(row.create_time) * 1000);
    await store.lockAccount(trx, userid);
    const wasActive = await store.isActive(trx, userid, externalUserId);
    switch (row.change_type) {
      case 'add_external_contact':
      case 'add_half_external_contact':
        await store.upsertAdded(trx, { userid, externalUserId, at, state: row.state ?? undefined });
        break;
      case 'del_external_contact':
      case 'del_follow_user':
        await store.markDeleted(trx, { userid, externalUserId, at, by: row.change_type === 'del_external_contact' ? 'member' : 'customer' });
        break;
      case 'edit_external_contact':
        await store.markEdited(trx, { userid, externalUserId, at });
        return undefined;
      default:
        return undefined;
    }
    const isActive = await store.isActive(trx, userid, externalUserId);
    return store.adjustCount(trx, userid, Number(isActive) - Number(wasActive));
  }

  /** Applies one stored event once (row lock + processed_at); returns false if already done. */
  async function processEvent(id: string): Promise<boolean> {
    let applied: ContactChange | undefined;
    try {
      await deps.db.transaction(async (trx) => {
        const row = await store.lockPendingEvent(trx, id);
        if (!row) return;
        const customerCount = await apply(trx, row);
        await store.markProcessed(trx, id);
        applied = {
          id,
          changeType: row.change_type,
          userId: row.user_id,
          externalUserId: row.external_userid,
          createTime: Number(row.create_time),
          state: row.state,
          welcomeCode: row.welcome_code,
          ...(customerCount !== undefined ? { customerCount } : {}),
        };
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error('wecom callback processing failed', { eventId: id, error: message });
      await store.markFailed(id, message).catch(() => undefined);
      return false;
    }
    if (!applied) return false;
    for (const listener of deps.listeners) {
      try {
        await listener.contactChanged(applied);
      } catch (error) {
        logger.error('contact event listener failed', { eventId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return true;
  }

  function processInBackground(id: string): void {
    const task = processEvent(id).finally(() => running.delete(task));
    running.add(task);
  }

  return {
    verifyUrl(query) {
      return crypto.verifyUrl(query);
    },

    async receive(query, body) {
      const event = crypto.openEvent(query, body);
      const eventId = await store.insertEvent({
        dedupeKey: callbackDedupeKey(event),
        event: event.event,
        changeType: event.changeType,
        userId: event.userId,
        externalUserId: event.externalUserId,
        createTime: event.createTime,
        state: event.state,
        welcomeCode: event.welcomeCode,
        rawXml: event.xml,
      });
      if (!eventId) {
        logger.info('wecom callback duplicate ignored', { changeType: event.changeType, userId: event.userId });
        return { duplicate: true };
      }
      processInBackground(eventId);
      return { eventId, duplicate: false };
    },

    processEvent,

    async processPending(limit = 500, signal) {
      let applied = 0;
      for (const id of await store.pendingEventIds(limit)) {
        if (signal?.aborted) break;
        if (await processEvent(id)) applied += 1;
      }
      return applied;
    },

    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

