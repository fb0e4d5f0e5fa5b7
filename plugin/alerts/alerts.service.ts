import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { detachedMetrics, type PluginMetrics } from '../core/metrics.js';
import { notFound } from '../core/errors.js';
import { scopeOf } from '../access/scope.js';
import type { AttemptsBody, DeliveriesBody, RoutingView, TestSendBody } from '../contract/index.js';
import type { RobotMessage, RobotSendResult, RobotTarget } from './robots.js';
import type { AlertsConfig, RobotConfig } from './alerts.config.js';
import type { AlertsStore, ClaimedMessage, DeliveryFilter, OutboxInsert } from './alerts.store.js';

/** What the outbox needs from a robot sender (robots.ts createRobotSender). */
export interface RobotSenderLike {
  send(target: RobotTarget, message: RobotMessage): Promise<RobotSendResult>;
}

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Waiting for a free slot of their robot (no attempt used). */
  postponed: number;
}

/** A message to send: who it is about decides the robots (HQ always, plus the branches'). */
export interface AlertMessage {
  /** Stable per event; the robot id is appended, so each robot gets it once. */
  key: string;
  kind: string;
  text: string;
  branchIds: string[];
  /** HQ robots only (e.g. failover notices). */
  hqOnly?: boolean;
  /** The branches' robots only (e.g. HQ's decisions about a branch's stores). */
  branchOnly?: boolean;
  accountId?: number | string | null;
  details?: Record<string, unknown>;
}

/** Sends that may have reached the robot before a message is given up (so it arrives at most twice). */
const MAX_MAYBE_DELIVERED = 2;
const UNCONFIRMED_TWICE = '两次发送都没有收到机器人应答（可能已送达），为避免重复不再发送';

function robotTarget(robot: RobotConfig): RobotTarget {
  if (robot.channel === 'wecom') return { kind: 'wecom', key: robot.key };
  if (robot.channel === 'dingtalk') return { kind: 'dingtalk', accessToken: robot.key, secret: robot.secret };
  return { kind: 'feishu', token: robot.key, secret: robot.secret };
}

export interface AlertsService {
  /** Queues messages inside the caller's transaction: they exist exactly when the event does. */
  enqueue(trx: Knex | Knex.Transaction, messages: AlertMessage[]): Promise<number>;
  /**
   * Job `alert-delivery`: claims due messages batch by batch and sends them. Safe to run in several
   * processes at once: a message is claimed by one worker (FOR UPDATE SKIP LOCKED), each robot's
   * sends are counted in a shared ledger, and a crashed worker's claim expires after leaseMs.
   */
  deliverDue(signal?: AbortSignal): Promise<DeliveryReport>;
  /** Queues a test message to one robot and tries to deliver it right away. */
  sendTest(actor: Actor, robotId: string): Promise<TestSendBody['delivery']>;
  listDeliveries(actor: Actor, filter: DeliveryFilter): Promise<Omit<DeliveriesBody, 'page' | 'pageSize'>>;
  listAttempts(actor: Actor, id: string): Promise<AttemptsBody['items']>;
  /** Robots and routing as the UI shows them: never a key nor a secret. */
  routingView(actor: Actor): RoutingView;
}

export function createAlertsService(deps: {
  db: Knex;
  store: AlertsStore;
  config: AlertsConfig;
  sender: RobotSenderLike;
  logger: Logger;
  timezone: string;
  /** Names this process in attempt records; default host:pid:random. */
  workerId?: string;
  metrics?: PluginMetrics;
}): AlertsService {
  const { db, store, config, sender, logger } = deps;
  const metrics = deps.metrics ?? detachedMetrics();
  const worker = deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const robots = new Map(config.robots.map((r) => [r.id, r]));

  /**
   * The robots a message goes to, each with the branches its delivery belongs to: an HQ robot's
   * copy concerns every branch of the message; a branch robot's copy only the branches it serves.
   */
  function recipients(message: Pick<AlertMessage, 'branchIds' | 'hqOnly' | 'branchOnly'>): { robot: RobotConfig; branchIds: string[] }[] {
    const owners = new Map<string, Set<string>>();
    const add = (id: string, branches: readonly string[]) => {
      const set = owners.get(id) ?? new Set<string>();
      for (const b of branches) set.add(b);
      owners.set(id, set);
    };
    if (!message.branchOnly) for (const id of config.hqRobots) add(id, message.branchIds);
    if (!message.hqOnly) for (const branch of message.branchIds) for (const id of config.branchRobots[branch] ?? []) add(id, [branch]);
    return [...owners].flatMap(([id, branches]) => {
      const robot = robots.get(id);
      return robot ? [{ robot, branchIds: [...branches].sort() }] : [];
    });
  }

  function outboxRows(messages: AlertMessage[]): OutboxInsert[] {
    return messages.flatMap((m) =>
      recipients(m).map(({ robot, branchIds }) => ({
        idempotencyKey: `${m.key}:${robot.id}`,
        kind: m.kind,
        channel: robot.channel,
        robotId: robot.id,
        payload: { text: m.text, ...(m.details ? { details: m.details } : {}) },
        branchIds,
        accountId: m.accountId ?? null,
      })),
    );
  }

  function backoffMs(attempts: number): number {
    const raw = Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(raw * (0.8 + Math.random() * 0.4));
  }

  /** Claims due messages in one transaction: row locks (SKIP LOCKED) + per-robot ledger slots. */
  async function claimBatch(tried: Set<string>) {
    return db.transaction(async (trx) => {
      const due = await store.lockDue(trx, config.batchSize, [...tried]);
      if (!due.length) return { claimed: [] as (ClaimedMessage & { ledgerId?: string })[], postponed: 0 };
      const robotIds = [...new Set(due.map((m) => m.robotId))];
      await store.lockRobots(trx, robotIds);
      const usage = await store.ledgerUsage(trx, robotIds, config.rateWindowMs);
      const take: string[] = [];
      const wait = new Map<string, string[]>();
      const taken = new Map<string, number>();
      for (const message of due) {
        const used = (usage.get(message.robotId)?.used ?? 0) + (taken.get(message.robotId) ?? 0);
        if (used < config.perRobotPerMinute) {
          take.push(message.id);
          taken.set(message.robotId, (taken.get(message.robotId) ?? 0) + 1);
        } else {
          wait.set(message.robotId, [...(wait.get(message.robotId) ?? []), message.id]);
        }
      }
      for (const [robotId, ids] of wait) {
        const freesAt = usage.get(robotId)?.freesAt ?? new Date(Date.now() + config.rateWindowMs);
        await store.postpone(trx, ids, freesAt);
        metrics.robotRateLimitWaits.inc({ channel: robots.get(robotId)?.channel ?? 'unknown' }, ids.length);
      }
      const claimed = await store.claim(trx, take, worker, config.leaseMs);
      const byId = new Map(due.map((m) => [String(m.id), m]));
      return {
        claimed: claimed.map((c) => ({ ...byId.get(String(c.id))!, attempts: c.attempts, maybeDelivered: c.maybeDelivered, ledgerId: c.ledgerId })),
        postponed: [...wait.values()].reduce((n, ids) => n + ids.length, 0),
      };
    });
  }

  async function send(message: ClaimedMessage): Promise<RobotSendResult> {
    const robot = robots.get(message.robotId);
    if (!robot) return { ok: false, failure: 'permanent', code: 'unknown_robot', message: `robot ${message.robotId} is not configured` };
    const payload = typeof message.payload === 'string' ? (JSON.parse(message.payload) as { text: string }) : message.payload;
    return sender
      .send(robotTarget(robot), {
        type: 'text',
        content: payload.text,
        mentionUserIds: robot.mentions.userids,
        mentionMobiles: robot.mentions.mobiles,
        mentionAll: robot.mentions.all,
      })
      .catch((err: unknown): RobotSendResult => ({ ok: false, failure: 'transient', code: 'send_error', message: err instanceof Error ? err.name : 'error' }));
  }

  /**
   * A message that may already have reached its robot (no answer, or a worker that died in flight)
   * is sent once more at most: a robot gets a warning at least once and at most twice.
   */
  async function deliverOne(message: ClaimedMessage & { ledgerId?: string }, report: DeliveryReport) {
    const common = { id: String(message.id), worker, attempt: message.attempts, ledgerId: message.ledgerId };
    if (message.maybeDelivered >= MAX_MAYBE_DELIVERED) {
      await store.finish({ ...common, outcome: 'failed', status: 'failed', errorCode: 'unconfirmed', error: UNCONFIRMED_TWICE });
      report.failed += 1;
      metrics.alerts.inc({ outcome: 'failed' });
      logger.warn('alert may have been delivered twice without an answer; not sent again', { outboxId: message.id, robot: message.robotId });
      return;
    }
    const result = await send(message);
    if (result.ok) {
      await store.finish({ ...common, outcome: 'sent', status: 'sent' });
      report.sent += 1;
      metrics.alerts.inc({ outcome: 'sent' });
      return;
    }
    const unconfirmed = result.failure === 'unconfirmed';
    if (result.failure === 'rate_limited') metrics.robotRateLimitWaits.inc({ channel: message.channel });
    const giveUp =
      result.failure === 'permanent' || message.attempts >= config.maxAttempts || (unconfirmed && message.maybeDelivered + 1 >= MAX_MAYBE_DELIVERED);
    const delay = result.failure === 'rate_limited' ? Math.max(config.rateWindowMs, Math.min(result.retryAfterMs ?? 0, config.backoffMaxMs)) : backoffMs(message.attempts);
    await store.finish({
      ...common,
      outcome: unconfirmed ? 'unconfirmed' : giveUp ? 'failed' : result.failure === 'rate_limited' ? 'rate_limited' : 'retry',
      status: giveUp ? 'failed' : 'pending',
      nextAttemptAt: giveUp ? undefined : new Date(Date.now() + delay),
      errorCode: unconfirmed && giveUp ? 'unconfirmed' : result.code,
      error: unconfirmed && giveUp ? UNCONFIRMED_TWICE : result.message,
    });
    metrics.alerts.inc({ outcome: giveUp ? 'failed' : 'retried' });
    if (giveUp) {
      report.failed += 1;
      logger.warn('alert delivery failed for good', { outboxId: message.id, robot: message.robotId, code: result.code, attempts: message.attempts });
    } else {
      report.retried += 1;
    }
  }

  const service: AlertsService = {
    async enqueue(trx, messages) {
      const queued = await store.enqueue(trx, outboxRows(messages));
      // Counted when written; a rollback of the caller's transaction leaves the count a little high.
      metrics.alerts.inc({ outcome: 'queued' }, queued);
      return queued;
    },

    async deliverDue(signal) {
      const report: DeliveryReport = { claimed: 0, sent: 0, retried: 0, failed: 0, postponed: 0 };
      // A message is tried at most once per run: a retry waits for its backoff and the next run.
      const tried = new Set<string>();
      for (let round = 0; round < 100 && !signal?.aborted; round += 1) {
        const { claimed, postponed } = await claimBatch(tried);
        report.postponed += postponed;
        if (!claimed.length) break;
        for (const message of claimed) tried.add(String(message.id));
        report.claimed += claimed.length;
        await Promise.all(claimed.map((message) => deliverOne(message, report)));
      }
      await store.pruneLedger(config.rateWindowMs);
      if (report.claimed) logger.info('alert delivery run', { ...report });
      return report;
    },

    async sendTest(actor, robotId) {
      const robot = robots.get(robotId);
      if (!robot) throw notFound(`预警机器人 ${robotId} 不存在`, 'robot_not_found');
      const key = `test:${robotId}:${Date.now()}:${randomBytes(4).toString('hex')}`;
      const when = new Date().toLocaleString('zh-CN', { timeZone: deps.timezone, hour12: false });
      const [row] = await db('wss_alert_outbox')
        .insert({
          idempotency_key: key,
          kind: 'test',
          channel: robot.channel,
          robot_id: robot.id,
          payload: JSON.stringify({ text: `【测试消息】门店企微容量预警通道正常（${actor.name}，${when}）` }),
          branch_id: null,
        })
        .returning('id');
      await service.deliverDue();
      return store.statusOf(String(row.id));
    },

    listDeliveries: (actor, filter) => store.listDeliveries(scopeOf(actor), filter),

    async listAttempts(actor, id) {
      const row = await store.findDelivery(scopeOf(actor), id);
      if (!row) throw notFound(`发送记录 ${id} 不存在`, 'delivery_not_found');
      return store.listAttempts(id);
    },

    routingView(actor) {
      const visibleBranches = Object.keys(config.branchRobots).filter((b) => actor.branchScope === 'all' || actor.branchScope.includes(b));
      const shown = new Set([...config.hqRobots, ...visibleBranches.flatMap((b) => config.branchRobots[b])]);
      return {
        robots: config.robots
          .filter((r) => actor.branchScope === 'all' || shown.has(r.id))
          .map((r) => ({ id: r.id, name: r.name ?? r.id, channel: r.channel, signed: Boolean(r.secret), mentions: r.mentions })),
        hqRobots: config.hqRobots,
        branchRobots: Object.fromEntries(visibleBranches.map((b) => [b, config.branchRobots[b]])),
        delivery: { perRobotPerMinute: config.perRobotPerMinute, maxAttempts: config.maxAttempts, backoffBaseMs: config.backoffBaseMs, backoffMaxMs: config.backoffMaxMs },
      };
    },
  };
  return service;
}
