import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import { scopeOf, SYSTEM_SCOPE } from '../access/scope.js';
import { authorOf, SYSTEM_AUTHOR, writeAudit, type Author } from '../core/audit.js';
import { conflict, InputError, notFound } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { HandoverCustomerItem, HandoverDetailBody, HandoverItem, HandoverListBody } from '../contract/index.js';
import type { ContactTakeovers } from '../wecom-callbacks/index.js';
import type { TransferKind, WecomClient } from '../wecom/index.js';
import { afterRequest, planTakers, RESULT_STATUS, roomBelowHardLevel, type HandoverCustomerStatus } from './handover-plan.js';
import type { CustomerRow, HandoverCandidate, HandoverRow, HandoverStatus, HandoverStore } from './handover.store.js';

export type HandoverWecomApi = Pick<WecomClient, 'listExternalContacts' | 'unassignedCustomers' | 'transferCustomers' | 'transferResults'>;

/** The capacity feature, told when a handover moved counts (thresholds in the transaction, routing after). */
export interface HandoverCountListener {
  countChanged(trx: Knex.Transaction, userid: string): Promise<unknown>;
  countsChanged(userids: string[]): Promise<unknown>;
}

export interface HandoverRunReport {
  proposed: number;
  requested: number;
  done: number;
  failed: number;
  finished: number;
}

export interface HandoverService {
  list(actor: Actor, filter: { status?: HandoverStatus | 'in_progress'; storeId?: string }): Promise<Omit<HandoverListBody, 'can'>>;
  detail(actor: Actor, id: string): Promise<HandoverDetailBody>;
  /** HQ approves: the takers (default: the store's serving account, then its backups) and the customer's message. */
  approve(actor: Actor, id: string, input: { takeoverUserids?: string[]; successMessage?: string }): Promise<HandoverDetailBody>;
  dismiss(actor: Actor, id: string, reason?: string): Promise<HandoverDetailBody>;
  /** Job `handover-transfer`: propose, ask WeCom in batches within the takers' room, poll the results. */
  run(signal?: AbortSignal): Promise<HandoverRunReport>;
}

const BATCH = 100;
/** Customers asked for this long ago and still missing from WeCom's results have no record there. */
const NO_RECORD_AFTER_MS = 48 * 3_600_000;
const MAX_ATTEMPTS = 3;

const REASON_TEXT: Partial<Record<HandoverCustomerStatus, string>> = {
  refused: '客户拒绝转接',
  taker_full: '接替账号客户数已达上限',
  no_record: '企业微信没有这位客户的转接记录',
  not_customer: '已不是原账号的客户',
  too_frequent: '该客户90天内已被转接两次',
  no_room: '接替账号容量不足（不超过硬上限）',
};

export function customerReasonText(status: HandoverCustomerStatus, errcode: number | null): string | null {
  if (status === 'failed') return `转接失败（错误码 ${errcode ?? '未知'}）`;
  return REASON_TEXT[status] ?? null;
}

export function createHandoverService(deps: {
  db: Knex;
  store: HandoverStore;
  wecom: HandoverWecomApi;
  takeovers: ContactTakeovers;
  counts: HandoverCountListener[];
  hardLevel: number;
  logger: Logger;
}): HandoverService {
  const { db, store, wecom, logger } = deps;

  async function items(rows: HandoverRow[], knex: Knex = db): Promise<HandoverItem[]> {
    // A proposal shows the takers an approval without a choice would use.
    rows = await Promise.all(rows.map(async (r) => (r.status === 'proposed' && !r.takeover_userids.length ? { ...r, takeover_userids: await store.storeTakers(r.store_id, r.handover_userid, knex) } : r)));
    const ids = rows.map((r) => String(r.id));
    const [counts, names, stores] = await Promise.all([
      store.statusCounts(ids, knex),
      store.accountNames([...new Set(rows.flatMap((r) => [r.handover_userid, ...r.takeover_userids]))], knex),
      store.storeNames([...new Set(rows.map((r) => r.store_id))], knex),
    ]);
    return rows.map((r) => {
      const byStatus = counts.get(String(r.id)) ?? {};
      return {
        id: String(r.id),
        storeId: r.store_id,
        storeName: stores.get(r.store_id) ?? r.store_id,
        branchId: r.branch_id,
        handover: { userid: r.handover_userid, name: names.get(r.handover_userid) ?? r.handover_userid },
        kind: r.kind,
        reason: r.reason,
        status: r.status,
        takers: r.takeover_userids.map((userid) => ({ userid, name: names.get(userid) ?? userid })),
        proposedAt: r.proposed_at.toISOString(),
        decidedBy: r.decided_by,
        decidedAt: r.decided_at?.toISOString() ?? null,
        finishedAt: r.finished_at?.toISOString() ?? null,
        counts: byStatus,
        total: Object.values(byStatus).reduce((a, b) => a + b, 0),
      };
    });
  }

  async function detailOf(row: HandoverRow, knex: Knex = db): Promise<HandoverDetailBody> {
    const [item] = await items([row], knex);
    const customers: HandoverCustomerItem[] = (await store.customers(String(row.id), knex)).map((c) => ({
      externalUserid: c.external_userid,
      takeoverUserid: c.takeover_userid,
      status: c.status,
      errcode: c.errcode,
      reasonText: customerReasonText(c.status, c.errcode),
      takeoverAt: c.takeover_at?.toISOString() ?? null,
    }));
    return { handover: item, customers };
  }

  const audit = (knex: Knex, by: Author, row: Pick<HandoverRow, 'id' | 'store_id' | 'branch_id'>, action: string, before: unknown, after: unknown, reason?: string) =>
    writeAudit(knex, by, [{ action, entityType: 'handover', entityId: String(row.id), storeId: row.store_id, branchId: row.branch_id, before, after, reason }]);

  async function decide(actor: Actor, id: string, change: (trx: Knex.Transaction, row: HandoverRow) => Promise<void>): Promise<HandoverDetailBody> {
    return db.transaction(async (trx) => {
      const row = await store.get(scopeOf(actor), id, trx, true);
      if (!row) throw notFound(`转接申请 ${id} 不存在 (no such handover)`, 'handover_not_found');
      if (row.status !== 'proposed') throw conflict(`转接申请 ${id} 已处理 (already decided)`, 'handover_decided', { status: row.status });
      await change(trx, row);
      return detailOf((await store.get(SYSTEM_SCOPE, id, trx))!, trx);
    });
  }

  async function propose(report: HandoverRunReport, signal?: AbortSignal): Promise<void> {
    const candidates = await store.candidates();
    if (!candidates.length) return;
    let unassigned: Map<string, string[]> | undefined;
    const customersOf = async (c: HandoverCandidate): Promise<string[]> => {
      if (c.kind === 'service') return wecom.listExternalContacts(c.userid);
      if (!unassigned) {
        unassigned = new Map();
        for await (const item of wecom.unassignedCustomers()) unassigned.set(item.handover_userid, [...(unassigned.get(item.handover_userid) ?? []), item.external_userid]);
      }
      return unassigned.get(c.userid) ?? [];
    };
    for (const candidate of candidates) {
      if (signal?.aborted) return;
      const customers = await customersOf(candidate);
      await db.transaction(async (trx) => {
        const id = await store.insertProposal(trx, candidate, customers);
        if (!id) return;
        const row = { id, store_id: candidate.storeId, branch_id: candidate.branchId };
        await audit(trx, SYSTEM_AUTHOR, row, 'handover.propose', null, { handover: candidate.userid, kind: candidate.kind, reason: candidate.reason, customers: customers.length });
        if (!customers.length) await store.setStatus(trx, id, { status: 'done', finished_at: new Date() });
        report.proposed += 1;
      });
    }
  }

  /** Asks WeCom for the pending customers of a handover, each taker within its room below the hard level. */
  async function request(row: HandoverRow, report: HandoverRunReport): Promise<void> {
    const id = String(row.id);
    const pending = await store.pendingCustomers(id);
    if (!pending.length) return;
    const full = new Set<string>();
    const kind: TransferKind = row.kind;
    for (let round = 0; round < row.takeover_userids.length && pending.length; round += 1) {
      const loads = await store.accountLoads(row.takeover_userids);
      const rooms = row.takeover_userids.map((userid) => {
        const load = loads.get(userid);
        const room = !load || !load.usable || full.has(userid) ? 0 : roomBelowHardLevel({ ...load, hardLevel: deps.hardLevel });
        return { userid, room };
      });
      const plan = planTakers(pending.map((c) => c.external_userid), rooms);
      if (!plan.assigned.size) break;
      const retry: CustomerRow[] = [];
      for (const [taker, customers] of plan.assigned) {
        for (let i = 0; i < customers.length; i += BATCH) {
          const batch = customers.slice(i, i + BATCH);
          let results: { external_userid: string; errcode: number }[];
          try {
            results = await wecom.transferCustomers(kind, {
              handover_userid: row.handover_userid, takeover_userid: taker, external_userid: batch, ...(row.success_message ? { transfer_success_msg: row.success_message } : {}),
            });
          } catch (error) {
            const errcode = (error as { errcode?: number }).errcode;
            logger.warn('handover request failed', { handover: id, taker, errcode, error: (error as Error).message });
            // A refusal of the whole call (40097, 40130…) fails these customers; a transport failure leaves them for the next run.
            if (errcode !== undefined && errcode !== -1 && errcode !== 45009) {
              await store.updateCustomers(db, id, batch, { status: 'failed', takeover_userid: taker, errcode, attempt: true });
              report.failed += batch.length;
            }
            continue;
          }
          // 40129: ours when WeCom lists it as waiting for this pair; someone else's otherwise (asked again later).
          const inProgress = results.filter((r) => afterRequest(r.errcode) === 'in_progress');
          const ours = inProgress.length
            ? new Set((await wecom.transferResults(kind, row.handover_userid, taker)).filter((r) => r.status === 2).map((r) => r.external_userid))
            : new Set<string>();
          for (const { external_userid: customerId, errcode } of results) {
            const outcome = afterRequest(errcode);
            if (outcome === 'in_progress') {
              const customer = pending.find((c) => c.external_userid === customerId);
              const status = ours.has(customerId) ? 'waiting' : (customer?.attempts ?? 0) + 1 < MAX_ATTEMPTS ? 'pending' : 'failed';
              await store.updateCustomers(db, id, [customerId], { status, takeover_userid: taker, errcode, requested: status === 'waiting', attempt: true });
              if (status === 'waiting') report.requested += 1;
              continue;
            }
            if (outcome === 'retry_elsewhere') {
              // The taker is at its limit in WeCom: the next round offers the customer to another one.
              full.add(taker);
              const customer = pending.find((c) => c.external_userid === customerId);
              const again = Boolean(customer && customer.attempts + 1 < MAX_ATTEMPTS);
              if (customer && again) retry.push({ ...customer, attempts: customer.attempts + 1 });
              await store.updateCustomers(db, id, [customerId], { status: again ? 'pending' : 'no_room', takeover_userid: null, errcode, attempt: true });
              continue;
            }
            await store.updateCustomers(db, id, [customerId], { status: outcome, takeover_userid: taker, errcode, requested: outcome === 'waiting', attempt: true });
            if (outcome === 'waiting') report.requested += 1;
            else report.failed += 1;
          }
        }
      }
      pending.splice(0, pending.length, ...retry, ...pending.filter((c) => plan.unplaced.includes(c.external_userid)));
    }
    // No taker has room for these: they stay with the old account, listed with the reason.
    if (pending.length) await store.updateCustomers(db, id, pending.map((c) => c.external_userid), { status: 'no_room', takeover_userid: null });
    if (row.status === 'approved') await db.transaction((trx) => store.setStatus(trx, id, { status: 'transferring' }));
  }

  /** Reads WeCom's results for the waiting customers; the done ones move between the accounts' counts. */
  async function poll(row: HandoverRow, report: HandoverRunReport): Promise<void> {
    const id = String(row.id);
    const waiting = await store.waitingCustomers(id);
    const byTaker = new Map<string, CustomerRow[]>();
    for (const c of waiting) if (c.takeover_userid) byTaker.set(c.takeover_userid, [...(byTaker.get(c.takeover_userid) ?? []), c]);
    for (const [taker, customers] of byTaker) {
      const results = new Map((await wecom.transferResults(row.kind, row.handover_userid, taker)).map((r) => [r.external_userid, r]));
      const done: { externalUserid: string; at: Date }[] = [];
      for (const customer of customers) {
        const result = results.get(customer.external_userid);
        const status = result ? RESULT_STATUS[result.status] : customer.requested_at && Date.now() - customer.requested_at.getTime() > NO_RECORD_AFTER_MS ? 'no_record' : 'waiting';
        if (status === 'waiting') continue;
        if (status === 'done') done.push({ externalUserid: customer.external_userid, at: result?.takeover_time ? new Date(result.takeover_time * 1000) : new Date() });
        else {
          await store.updateCustomers(db, id, [customer.external_userid], { status });
          report.failed += 1;
        }
      }
      if (!done.length) continue;
      await db.transaction(async (trx) => {
        for (const { externalUserid, at } of done) {
          const locked = await store.lockCustomer(trx, id, externalUserid);
          if (locked?.status !== 'waiting') continue;
          await deps.takeovers.recordTakeover(trx, { from: row.handover_userid, to: taker, externalUserId: externalUserid, at });
          await store.updateCustomers(trx, id, [externalUserid], { status: 'done', takeoverAt: at });
          report.done += 1;
        }
        // Thresholds are checked in the transaction that moved the counts.
        for (const listener of deps.counts) for (const userid of [taker, row.handover_userid]) await listener.countChanged(trx, userid);
      });
      for (const listener of deps.counts) {
        await Promise.resolve(listener.countsChanged([taker, row.handover_userid])).catch((error: unknown) => logger.warn('routing check after handover failed', { error: (error as Error).message }));
      }
    }
  }

  async function finish(row: HandoverRow, report: HandoverRunReport): Promise<void> {
    const id = String(row.id);
    if ((await store.openCustomerCount(id)) > 0) return;
    await db.transaction(async (trx) => {
      const locked = await store.get(SYSTEM_SCOPE, id, trx, true);
      if (!locked || (locked.status !== 'approved' && locked.status !== 'transferring')) return;
      await store.setStatus(trx, id, { status: 'done', finished_at: new Date() });
      const counts = (await store.statusCounts([id], trx)).get(id);
      await audit(trx, SYSTEM_AUTHOR, locked, 'handover.complete', { status: locked.status }, { status: 'done', counts });
    });
    report.finished += 1;
  }

  return {
    async list(actor, filter) {
      return { items: await items(await store.list(scopeOf(actor), filter)) };
    },

    async detail(actor, id) {
      const row = await store.get(scopeOf(actor), id);
      if (!row) throw notFound(`转接申请 ${id} 不存在 (no such handover)`, 'handover_not_found');
      return detailOf(row);
    },

    approve(actor, id, input) {
      return decide(actor, id, async (trx, row) => {
        const takers = input.takeoverUserids?.length ? [...new Set(input.takeoverUserids)] : await store.storeTakers(row.store_id, row.handover_userid, trx);
        if (!takers.length) throw conflict(`门店 ${row.store_id} 没有可接替客户的账号，请先绑定主账号或备用账号`, 'no_taker');
        if (takers.includes(row.handover_userid)) throw new InputError('接替账号不能是原账号', { takeoverUserids: '接替账号不能是原账号 (same member)' }, 'same_member');
        const loads = await store.accountLoads(takers, trx);
        const unknown = takers.filter((t) => !loads.get(t)?.usable);
        if (unknown.length) throw new InputError(`账号 ${unknown.join('、')} 不可用或不存在`, { takeoverUserids: `unusable: ${unknown.join(', ')}` }, 'unusable_taker');
        if (input.successMessage && row.kind === 'resigned') throw new InputError('离职继承不能发送转接提示语', { successMessage: 'only for in-service handovers' }, 'message_not_allowed');
        await store.setStatus(trx, String(row.id), {
          status: 'approved', takeover_userids: takers, success_message: input.successMessage ?? null, decided_by: actor.id, decided_at: new Date(),
        });
        await audit(trx, authorOf(actor), row, 'handover.approve', { status: row.status }, { status: 'approved', takers });
      });
    },

    dismiss(actor, id, reason) {
      return decide(actor, id, async (trx, row) => {
        await store.setStatus(trx, String(row.id), { status: 'dismissed', decided_by: actor.id, decided_at: new Date(), finished_at: new Date() });
        await audit(trx, authorOf(actor), row, 'handover.dismiss', { status: row.status }, { status: 'dismissed' }, reason);
      });
    },

    async run(signal) {
      const report: HandoverRunReport = { proposed: 0, requested: 0, done: 0, failed: 0, finished: 0 };
      await propose(report, signal);
      for (const row of await store.working()) {
        if (signal?.aborted) break;
        await poll(row, report);
        await request(row, report);
        await finish(row, report);
      }
      if (report.proposed || report.requested || report.done || report.failed || report.finished) logger.info('handover run', { ...report });
      return report;
    },
  };
}
