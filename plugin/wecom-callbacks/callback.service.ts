/**
 * WeCom callbacks: verify and decrypt, store the raw event (deduplicated) before answering, then
 * apply it to wss_wecom_contacts and the account's live customer_count — under the account lock, in
 * CreateTime order per account × customer — and hand it to the reacting features.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';
import { createCallbackCrypto, type CallbackSecrets, type SignedQuery, type WecomCallbackEvent } from './callback-crypto.js';
import { createCallbackStore, type CallbackEventRow, type CallbackStore } from './callback.store.js';
import { applyContactEvent, isPairEvent } from './contact-apply.js';
import { createContactReconciler, type ContactReconcileReport } from './contact-reconcile.js';
import type { WecomClient } from '../wecom/index.js';

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
 * idempotent: the event is already committed; a listener that fails, or a process that dies before
 * the listeners ran, is followed up again by the replay job (within a day).
 */
export interface ContactChangeListener {
  contactChanged(event: ContactChange): Promise<unknown>;
}

/**
 * A feature whose bookkeeping must commit with the count change (capacity thresholds): called inside
 * the apply transaction, under the account lock. If it throws, the apply rolls back and is retried.
 */
export interface ContactCountListener {
  countChanged(trx: Knex.Transaction, userid: string): Promise<unknown>;
}

export interface WecomCallbacksService {
  /** GET URL check; returns the bare plaintext to answer. Throws CallbackVerificationError. */
  verifyUrl(query: Partial<SignedQuery> & { echostr?: string }): string;
  /**
   * POST: verifies, decrypts and stores the event, then schedules processing without waiting for it.
   * Throws CallbackVerificationError (nothing stored) for forged or malformed callbacks.
   */
  receive(query: Partial<SignedQuery>, body: string): Promise<{ eventId?: string; duplicate: boolean }>;
  /**
   * Applies one stored event once, with the earlier unapplied events of the same account × customer
   * before it; false if it was already applied.
   */
  processEvent(id: string): Promise<boolean>;
  /**
   * Job `wecom-callback-replay`: applies events left unapplied (the process stopped after storing
   * them) and re-runs the follow-up of events whose listeners did not finish. Returns events applied.
   */
  processPending(limit?: number, signal?: AbortSignal): Promise<number>;
  /**
   * Job `contact-reconcile`: WeCom's relations (batch/get_by_user) of the accounts whose live count
   * differs from their contact rows, then of the others least recently reconciled, up to `budget`
   * accounts; missing adds (dated by createtime, attributed through their state) and gone relations
   * are applied like callbacks. `userids` reconciles those accounts only; relations younger than
   * `settleMarginMs` (5 minutes) are left to their callbacks.
   */
  reconcileContacts(options?: { userids?: string[]; budget?: number; settleMarginMs?: number }, signal?: AbortSignal): Promise<Omit<ContactReconcileReport, 'eventIds'>>;
  /** Resolves when background processing started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export type { ContactReconcileReport } from './contact-reconcile.js';

export interface WecomCallbackServiceDeps {
  db: Knex;
  secrets: CallbackSecrets;
  logger: Logger;
  store?: CallbackStore;
  listeners: ContactChangeListener[];
  countListeners?: ContactCountListener[];
  /** A follow-up not finished this long after the apply is re-run by the replay job. */
  followUpGraceMs?: number;
  /** For the contact reconcile; without it the reconcile refuses to run. */
  wecom?: Pick<WecomClient, 'iterateByUser'>;
  /** Accounts one scheduled reconcile run may ask WeCom about (the API budget). */
  reconcileBudget?: number;
  metrics?: PluginMetrics;
}

/**
 * WeCom resends an unanswered callback with the same event XML; a delete and a re-add within the same
 * second differ in their WelcomeCode (an add's) or, for other events, in their XML.
 */
export function callbackDedupeKey(
  event: Pick<WecomCallbackEvent, 'changeType' | 'event' | 'userId' | 'externalUserId' | 'createTime' | 'welcomeCode' | 'xml'>,
): string {
  const distinct = event.welcomeCode ? `w:${event.welcomeCode}` : `x:${createHash('sha256').update(event.xml).digest('hex').slice(0, 16)}`;
  return [event.changeType ?? event.event, event.userId ?? '', event.externalUserId ?? '', event.createTime, distinct].join('|');
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function changeOf(row: CallbackEventRow, customerCount: number | undefined): ContactChange {
  return {
    id: String(row.id),
    changeType: row.change_type,
    userId: row.user_id,
    externalUserId: row.external_userid,
    createTime: Number(row.create_time),
    state: row.state,
    welcomeCode: row.welcome_code,
    ...(customerCount !== undefined ? { customerCount } : {}),
  };
}

export function createWecomCallbackService(deps: WecomCallbackServiceDeps): WecomCallbacksService {
  const crypto = createCallbackCrypto(deps.secrets);
  const store = deps.store ?? createCallbackStore(deps.db);
  const { logger } = deps;
  const counted = (deps.metrics ?? detachedMetrics()).callbacks;
  const countListeners = deps.countListeners ?? [];
  const running = new Set<Promise<unknown>>();

  /**
   * One transaction: the account lock first (so two appliers never wait on each other's event rows),
   * then the pair's unapplied events up to this one, applied oldest first, then the count listeners.
   */
  async function applyInOrder(id: string): Promise<ContactChange[]> {
    return deps.db.transaction(async (trx) => {
      const head = await store.findEvent(trx, id);
      if (!head || head.processed_at) return [];
      if (!isPairEvent(head)) {
        const row = await store.lockPendingEvent(trx, id);
        if (!row) return [];
        await store.markProcessed(trx, id);
        return [changeOf(row, undefined)];
      }
      await store.lockAccount(trx, head.user_id!);
      const rows = await store.lockPendingOfPair(trx, head);
      if (!rows.some((row) => String(row.id) === String(head.id))) return [];
      const changes: ContactChange[] = [];
      let counted = false;
      for (const row of rows) {
        const customerCount = await applyContactEvent(trx, store, row);
        await store.markProcessed(trx, String(row.id));
        counted ||= customerCount !== undefined;
        changes.push(changeOf(row, customerCount));
      }
      if (counted) for (const listener of countListeners) await listener.countChanged(trx, head.user_id!);
      return changes;
    });
  }

  /** Hands committed changes to the listeners; marks them followed up when every listener succeeded. */
  async function followUp(changes: ContactChange[]): Promise<void> {
    const done: string[] = [];
    for (const change of changes) {
      let ok = true;
      for (const listener of deps.listeners) {
        try {
          await listener.contactChanged(change);
        } catch (error) {
          ok = false;
          logger.error('contact event listener failed', { eventId: change.id, error: errorText(error) });
        }
      }
      if (ok) done.push(change.id);
    }
    await store.markFollowedUp(done).catch((error: unknown) => logger.warn('contact event follow-up not recorded; the replay repeats it', { error: errorText(error) }));
  }

  /** Applies the event (and its pair's earlier ones); returns the ids applied. Never rejects. */
  async function process(id: string): Promise<string[]> {
    let changes: ContactChange[];
    try {
      changes = await applyInOrder(id);
      counted.inc({ outcome: 'applied' }, changes.length);
    } catch (error) {
      logger.error('wecom callback processing failed', { eventId: id, error: errorText(error) });
      await store.markFailed(id, errorText(error)).catch(() => undefined);
      return [];
    }
    await followUp(changes);
    return changes.map((c) => c.id);
  }

  function processInBackground(id: string): void {
    const task = process(id).finally(() => running.delete(task));
    running.add(task);
  }

  /** Events applied (in an earlier run or a process that died) whose listeners did not all finish. */
  async function followUpStragglers(limit: number, signal?: AbortSignal): Promise<void> {
    const rows = await store.awaitingFollowUp(limit, deps.followUpGraceMs ?? 30_000);
    const changes: ContactChange[] = [];
    for (const row of rows) {
      if (signal?.aborted) break;
      const counted = isPairEvent(row) && row.change_type !== 'edit_external_contact' ? await store.liveCount(row.user_id!) : undefined;
      changes.push(changeOf(row, counted));
    }
    await followUp(changes);
  }

  return {
    verifyUrl(query) {
      return crypto.verifyUrl(query);
    },

    async receive(query, body) {
      let event;
      try {
        event = crypto.openEvent(query, body);
      } catch (error) {
        counted.inc({ outcome: 'rejected' });
        throw error;
      }
      counted.inc({ outcome: 'received' });
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
        counted.inc({ outcome: 'deduplicated' });
        logger.info('wecom callback duplicate ignored', { changeType: event.changeType, userId: event.userId });
        return { duplicate: true };
      }
      processInBackground(eventId);
      return { eventId, duplicate: false };
    },

    async processEvent(id) {
      return (await process(id)).includes(String(id));
    },

    async processPending(limit = 500, signal) {
      const applied = new Set<string>();
      for (const id of await store.pendingEventIds(limit)) {
        if (signal?.aborted) break;
        if (applied.has(id)) continue;
        for (const done of await process(id)) applied.add(done);
      }
      if (!signal?.aborted) await followUpStragglers(limit, signal);
      return applied.size;
    },

    async reconcileContacts(options = {}, signal) {
      if (!deps.wecom) throw new Error('contact reconcile needs the WeCom client');
      const reconciler = createContactReconciler({ db: deps.db, store, wecom: deps.wecom });
      const userids = options.userids ?? (await reconciler.accountsToReconcile(options.budget ?? deps.reconcileBudget ?? 200));
      const { eventIds, ...report } = await reconciler.reconcile(userids, signal, options.settleMarginMs);
      for (const id of eventIds) await process(id);
      if (report.recoveredAdds || report.endedRelations || report.failed) logger.warn('contact reconcile recovered relations', { ...report });
      else logger.info('contact reconcile done', { accounts: report.accounts, listed: report.listed });
      return report;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
