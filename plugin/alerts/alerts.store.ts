import type { Knex } from 'knex';
import { LOCKS, xactLock } from '../core/locks.js';
import { whereAnyInScope, type Scope } from '../access/scope.js';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type AttemptOutcome = 'sent' | 'retry' | 'rate_limited' | 'failed' | 'abandoned' | 'unconfirmed';

/** Attempts that may have reached the robot: no answer came back, or the worker died in flight. */
export const MAYBE_DELIVERED: AttemptOutcome[] = ['unconfirmed', 'abandoned'];

export interface OutboxInsert {
  idempotencyKey: string;
  kind: string;
  channel: string;
  robotId: string;
  payload: { text: string; [key: string]: unknown };
  /** Every branch the delivery concerns (HQ only when empty). */
  branchIds: string[];
  accountId: number | string | null;
}

export interface ClaimedMessage {
  id: string;
  robotId: string;
  channel: string;
  kind: string;
  payload: { text: string };
  attempts: number;
  /** Earlier attempts that may have reached the robot (MAYBE_DELIVERED). */
  maybeDelivered: number;
}

export interface DeliveryFilter {
  status?: OutboxStatus;
  kind?: string;
  page: number;
  pageSize: number;
}

/** Knex only: the outbox, its attempts and the per-robot send ledger. */
export function createAlertsStore(db: Knex) {
  return {
    /** Repeat-safe: a key already queued (or sent) is left alone. Returns how many rows were new. */
    async enqueue(trx: Knex | Knex.Transaction, rows: OutboxInsert[]): Promise<number> {
      if (!rows.length) return 0;
      const inserted = await trx('wss_alert_outbox')
        .insert(
          rows.map((r) => ({
            idempotency_key: r.idempotencyKey,
            kind: r.kind,
            channel: r.channel,
            robot_id: r.robotId,
            payload: JSON.stringify(r.payload),
            branch_id: r.branchIds[0] ?? null,
            branch_ids: r.branchIds,
            account_id: r.accountId,
          })),
        )
        .onConflict('idempotency_key')
        .ignore()
        .returning('id');
      return inserted.length;
    },

    /** Due messages (or ones whose worker's lease ran out), locked so no other worker sees them. */
    async lockDue(trx: Knex.Transaction, limit: number, exclude: string[] = []) {
      return trx('wss_alert_outbox')
        .select('id', 'robot_id as robotId', 'channel', 'kind', 'payload', 'attempts', 'status')
        .where((due) =>
          due
            .where((w) => w.where('status', 'pending').andWhere('next_attempt_at', '<=', trx.raw('clock_timestamp()')))
            .orWhere((w) => w.where('status', 'sending').andWhere('locked_until', '<', trx.raw('clock_timestamp()'))),
        )
        .whereNotIn('id', exclude)
        .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
        .limit(limit)
        .forUpdate()
        .skipLocked() as Promise<(ClaimedMessage & { status: OutboxStatus })[]>;
    },

    /** Serialises ledger reads and writes of these robots across processes (sorted: no deadlock). */
    async lockRobots(trx: Knex.Transaction, robotIds: string[]): Promise<void> {
      for (const id of [...new Set(robotIds)].sort()) {
        await xactLock(trx, LOCKS.robot(id));
      }
    },

    /** Sends per robot inside the window, and when the oldest of them leaves it. */
    async ledgerUsage(trx: Knex.Transaction, robotIds: string[], windowMs: number) {
      const { rows } = await trx.raw<{ rows: { robot_id: string; used: number; frees_at: Date }[] }>(
        `SELECT robot_id, count(*)::int AS used, min(sent_at) + make_interval(secs => ?::float / 1000) AS frees_at
         FROM wss_robot_send_ledger
         WHERE robot_id = ANY(?) AND sent_at > clock_timestamp() - make_interval(secs => ?::float / 1000)
         GROUP BY robot_id`,
        [windowMs, robotIds, windowMs],
      );
      return new Map(rows.map((r) => [r.robot_id, { used: r.used, freesAt: r.frees_at }]));
    },

    async claim(trx: Knex.Transaction, ids: string[], worker: string, leaseMs: number) {
      if (!ids.length) return [];
      // An attempt left in flight by a crashed worker is closed as abandoned before the new one.
      await trx('wss_alert_attempts')
        .whereIn('outbox_id', ids)
        .whereNull('outcome')
        .update({ outcome: 'abandoned', finished_at: trx.raw('clock_timestamp()'), error: 'worker lease expired' });
      const claimed: { id: string; attempts: number }[] = await trx('wss_alert_outbox')
        .whereIn('id', ids)
        .update({
          status: 'sending',
          attempts: trx.raw('attempts + 1'),
          locked_by: worker,
          locked_until: trx.raw("clock_timestamp() + make_interval(secs => ?::float / 1000)", [leaseMs]),
        })
        .returning(['id', 'attempts']);
      await trx('wss_alert_attempts').insert(claimed.map((c) => ({ outbox_id: c.id, attempt: c.attempts, worker })));
      const ledger: { id: string; outbox_id: string }[] = await trx('wss_robot_send_ledger')
        .insert(
          (await trx('wss_alert_outbox').whereIn('id', ids).select('id', 'robot_id')).map((r: { id: string; robot_id: string }) => ({
            robot_id: r.robot_id,
            outbox_id: r.id,
            sent_at: trx.raw('clock_timestamp()'),
          })),
        )
        .returning(['id', 'outbox_id']);
      const maybe: { outbox_id: string; n: number }[] = await trx('wss_alert_attempts')
        .whereIn('outbox_id', ids)
        .whereIn('outcome', MAYBE_DELIVERED)
        .groupBy('outbox_id')
        .select('outbox_id', trx.raw('count(*)::int AS n'));
      return claimed.map((c) => ({
        ...c,
        maybeDelivered: maybe.find((m) => String(m.outbox_id) === String(c.id))?.n ?? 0,
        ledgerId: ledger.find((l) => String(l.outbox_id) === String(c.id))?.id,
      }));
    },

    /** Messages left waiting for a robot slot: back to pending until the slot frees, no attempt used. */
    async postpone(trx: Knex.Transaction, ids: string[], until: Date) {
      if (!ids.length) return;
      await trx('wss_alert_outbox').whereIn('id', ids).update({ status: 'pending', next_attempt_at: until, locked_by: null, locked_until: null });
    },

    async finish(input: {
      id: string;
      worker: string;
      attempt: number;
      ledgerId?: string;
      outcome: AttemptOutcome;
      status: OutboxStatus;
      nextAttemptAt?: Date;
      errorCode?: string;
      error?: string;
    }): Promise<boolean> {
      return db.transaction(async (trx) => {
        const updated = await trx('wss_alert_outbox')
          .where({ id: input.id, status: 'sending', locked_by: input.worker })
          .update({
            status: input.status,
            sent_at: input.status === 'sent' ? trx.raw('clock_timestamp()') : null,
            next_attempt_at: input.nextAttemptAt ?? trx.raw('clock_timestamp()'),
            last_error: input.error ? `${input.errorCode ?? ''} ${input.error}`.trim().slice(0, 500) : null,
            locked_by: null,
            locked_until: null,
          });
        await trx('wss_alert_attempts')
          .where({ outbox_id: input.id, attempt: input.attempt })
          .update({
            outcome: input.outcome,
            finished_at: trx.raw('clock_timestamp()'),
            error_code: input.errorCode ?? null,
            error: input.error?.slice(0, 500) ?? null,
          });
        // The robot counted the request when it arrived, which is no later than now.
        if (input.ledgerId) await trx('wss_robot_send_ledger').where('id', input.ledgerId).update({ sent_at: trx.raw('clock_timestamp()') });
        return updated === 1;
      });
    },

    async pruneLedger(windowMs: number): Promise<number> {
      return db('wss_robot_send_ledger')
        .where('sent_at', '<', db.raw("clock_timestamp() - make_interval(secs => ?::float / 1000) * 2", [windowMs]))
        .delete();
    },

    async listDeliveries(scope: Scope, filter: DeliveryFilter) {
      const scoped = () => whereAnyInScope(db('wss_alert_outbox as o'), scope, 'o.branch_ids');
      const base = scoped();
      if (filter.status) base.where('o.status', filter.status);
      if (filter.kind) base.where('o.kind', filter.kind);
      const [{ total }] = await base.clone().count<{ total: string }[]>({ total: '*' });
      const [{ failed }] = await scoped().where('o.status', 'failed').count<{ failed: string }[]>({ failed: '*' });
      const items = await base
        .select(
          'o.id',
          'o.kind',
          'o.channel',
          'o.robot_id as robotId',
          'o.status',
          'o.attempts',
          'o.last_error as lastError',
          'o.created_at as createdAt',
          'o.sent_at as sentAt',
          'o.next_attempt_at as nextAttemptAt',
          'o.branch_id as branchId',
          db.raw("o.payload->>'text' AS text"),
        )
        .orderBy([{ column: 'o.created_at', order: 'desc' }, { column: 'o.id', order: 'desc' }])
        .limit(filter.pageSize)
        .offset((filter.page - 1) * filter.pageSize);
      return { total: Number(total), failed: Number(failed), items };
    },

    async findDelivery(scope: Scope, id: string) {
      const query = db('wss_alert_outbox as o').where('o.id', id).first('o.id', 'o.status', 'o.robot_id as robotId');
      return whereAnyInScope(query, scope, 'o.branch_ids');
    },

    async listAttempts(outboxId: string) {
      return db('wss_alert_attempts')
        .where('outbox_id', outboxId)
        .orderBy('attempt')
        .select('attempt', 'worker', 'started_at as startedAt', 'finished_at as finishedAt', 'outcome', 'error_code as errorCode', 'error');
    },

    async statusOf(id: string) {
      return db('wss_alert_outbox').where('id', id).first('id', 'status', 'attempts', 'last_error as lastError', 'sent_at as sentAt');
    },
  };
}

export type AlertsStore = ReturnType<typeof createAlertsStore>;
