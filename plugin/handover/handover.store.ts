import type { Knex } from 'knex';
import { whereInScope, type Scope } from '../access/scope.js';
import { activeBindingSql, usableAccountSql } from '../core/serving.js';
import type { HandoverCustomerStatus } from './handover-plan.js';

const HANDOVERS = 'wss_handovers';
const CUSTOMERS = 'wss_handover_customers';
const OPEN = ['proposed', 'approved', 'transferring'];

export type HandoverStatus = 'proposed' | 'approved' | 'transferring' | 'done' | 'dismissed';

export interface HandoverRow {
  id: string;
  store_id: string;
  branch_id: string;
  handover_userid: string;
  kind: 'service' | 'resigned';
  reason: 'member_left' | 'account_replaced';
  status: HandoverStatus;
  takeover_userids: string[];
  success_message: string | null;
  proposed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  finished_at: Date | null;
}

export interface HandoverCandidate {
  userid: string;
  storeId: string;
  branchId: string;
  kind: 'service' | 'resigned';
  reason: 'member_left' | 'account_replaced';
}

export interface CustomerRow {
  handover_id: string;
  external_userid: string;
  takeover_userid: string | null;
  status: HandoverCustomerStatus;
  errcode: number | null;
  attempts: number;
  requested_at: Date | null;
  takeover_at: Date | null;
}

export function createHandoverStore(db: Knex) {
  return {
    /**
     * Accounts whose customers should be handed over and have no proposal since their binding began:
     * a member who left (still bound, or retired) and a replaced (retired) account with customers.
     */
    async candidates(): Promise<HandoverCandidate[]> {
      const { rows } = await db.raw<{ rows: { userid: string; store_id: string; branch_id: string; left: boolean }[] }>(
        `SELECT DISTINCT ON (a.userid) a.userid, sa.store_id, s.branch_id, a.wecom_status = 5 AS left
         FROM wss_wecom_accounts a
         JOIN wss_store_accounts sa ON sa.account_id = a.id
         JOIN wss_stores s ON s.id = sa.store_id
         WHERE ((a.wecom_status = 5 AND (sa.ended_at IS NULL OR sa.role = 'retired'))
             OR (sa.role = 'retired' AND ${usableAccountSql('a')} AND a.customer_count > 0))
           AND NOT EXISTS (SELECT 1 FROM ${HANDOVERS} h WHERE h.handover_userid = a.userid AND (h.status = ANY(?) OR h.proposed_at >= sa.bound_at))
         ORDER BY a.userid, (sa.ended_at IS NULL) DESC, (sa.role = 'primary') DESC, sa.store_id`,
        [OPEN],
      );
      return rows.map((r) => ({ userid: r.userid, storeId: r.store_id, branchId: r.branch_id, kind: r.left ? 'resigned' : 'service', reason: r.left ? 'member_left' : 'account_replaced' }));
    },

    /** A new proposal with its customers; null when one is already open for the account. */
    async insertProposal(trx: Knex.Transaction, candidate: HandoverCandidate, customers: readonly string[]): Promise<string | null> {
      const [row] = (await trx(HANDOVERS)
        .insert({ store_id: candidate.storeId, branch_id: candidate.branchId, handover_userid: candidate.userid, kind: candidate.kind, reason: candidate.reason })
        .onConflict(trx.raw(`(handover_userid) WHERE status IN ('proposed', 'approved', 'transferring')`))
        .ignore()
        .returning('id')) as { id: string }[];
      if (!row) return null;
      for (let i = 0; i < customers.length; i += 1000) {
        await trx(CUSTOMERS).insert(customers.slice(i, i + 1000).map((external_userid) => ({ handover_id: row.id, external_userid })));
      }
      return String(row.id);
    },

    async list(scope: Scope, filter: { status?: HandoverStatus | 'in_progress'; storeId?: string }, knex: Knex = db): Promise<HandoverRow[]> {
      const query = knex(HANDOVERS).select('*').orderBy('proposed_at', 'desc').orderBy('id', 'desc').limit(200);
      if (filter.status === 'in_progress') query.whereIn('status', ['approved', 'transferring']);
      else if (filter.status) query.where('status', filter.status);
      if (filter.storeId) query.where('store_id', filter.storeId);
      return (await whereInScope(query, scope, 'branch_id')) as HandoverRow[];
    },

    async get(scope: Scope, id: string, knex: Knex = db, lock = false): Promise<HandoverRow | undefined> {
      const query = whereInScope(knex(HANDOVERS).where('id', id), scope, 'branch_id');
      if (lock) query.forUpdate();
      return (await query.first()) as HandoverRow | undefined;
    },

    async statusCounts(ids: string[], knex: Knex = db): Promise<Map<string, Record<string, number>>> {
      const out = new Map<string, Record<string, number>>(ids.map((id) => [id, {}]));
      if (!ids.length) return out;
      const rows = (await knex(CUSTOMERS).whereIn('handover_id', ids).groupBy('handover_id', 'status').select('handover_id', 'status').count({ n: '*' })) as { handover_id: string; status: string; n: string }[];
      for (const r of rows) out.get(String(r.handover_id))![r.status] = Number(r.n);
      return out;
    },

    async customers(handoverId: string, knex: Knex = db): Promise<CustomerRow[]> {
      return (await knex(CUSTOMERS).where('handover_id', handoverId).orderBy('external_userid')) as CustomerRow[];
    },

    async setStatus(trx: Knex.Transaction, id: string, patch: Partial<Pick<HandoverRow, 'status' | 'takeover_userids' | 'success_message' | 'decided_by' | 'decided_at' | 'finished_at'>>) {
      await trx(HANDOVERS).where('id', id).update(patch);
    },

    /** The store's accounts that take customers now (serving first), usable, without the one handed over. */
    async storeTakers(storeId: string, exclude: string, knex: Knex = db): Promise<string[]> {
      const { rows } = await knex.raw<{ rows: { userid: string }[] }>(
        `SELECT a.userid FROM wss_store_accounts sa JOIN wss_wecom_accounts a ON a.id = sa.account_id
         LEFT JOIN wss_store_live_codes lc ON lc.store_id = sa.store_id
         WHERE sa.store_id = ? AND ${activeBindingSql('sa')} AND ${usableAccountSql('a')} AND a.userid <> ?
         ORDER BY (a.userid = lc.account_userids[1]) DESC NULLS LAST, (sa.role = 'primary') DESC, sa.bound_at`,
        [storeId, exclude],
      );
      return rows.map((r) => r.userid);
    },

    /** Count, limit and the customers on their way (asked, not done) of each account. */
    async accountLoads(userids: string[], knex: Knex = db): Promise<Map<string, { count: number; limit: number; inbound: number; usable: boolean }>> {
      if (!userids.length) return new Map();
      const { rows } = await knex.raw<{ rows: { userid: string; count: number; limit: number; inbound: string; usable: boolean }[] }>(
        `SELECT a.userid, a.customer_count AS count, a.capacity_limit AS limit, ${usableAccountSql('a')} AS usable,
           (SELECT count(*) FROM ${CUSTOMERS} c WHERE c.takeover_userid = a.userid AND c.status = 'waiting') AS inbound
         FROM wss_wecom_accounts a WHERE a.userid = ANY(?)`,
        [userids],
      );
      return new Map(rows.map((r) => [r.userid, { count: r.count, limit: r.limit, inbound: Number(r.inbound), usable: r.usable }]));
    },

    /** Handovers HQ approved that still have work: customers to ask for, or answers to poll. */
    async working(knex: Knex = db): Promise<HandoverRow[]> {
      return (await knex(HANDOVERS).whereIn('status', ['approved', 'transferring']).orderBy('id')) as HandoverRow[];
    },

    async pendingCustomers(handoverId: string, knex: Knex = db): Promise<CustomerRow[]> {
      return (await knex(CUSTOMERS).where({ handover_id: handoverId, status: 'pending' }).orderBy('external_userid')) as CustomerRow[];
    },

    async waitingCustomers(handoverId: string, knex: Knex = db): Promise<CustomerRow[]> {
      return (await knex(CUSTOMERS).where({ handover_id: handoverId, status: 'waiting' }).orderBy('external_userid')) as CustomerRow[];
    },

    async updateCustomers(
      knex: Knex,
      handoverId: string,
      externalUserids: string[],
      patch: { status: HandoverCustomerStatus; takeover_userid?: string | null; errcode?: number | null; requested?: boolean; takeoverAt?: Date; attempt?: boolean },
    ): Promise<void> {
      if (!externalUserids.length) return;
      await knex(CUSTOMERS)
        .where('handover_id', handoverId)
        .whereIn('external_userid', externalUserids)
        .update({
          status: patch.status,
          ...(patch.takeover_userid !== undefined ? { takeover_userid: patch.takeover_userid } : {}),
          ...(patch.errcode !== undefined ? { errcode: patch.errcode } : {}),
          ...(patch.requested ? { requested_at: knex.fn.now() } : {}),
          ...(patch.takeoverAt ? { takeover_at: patch.takeoverAt } : {}),
          ...(patch.attempt ? { attempts: knex.raw('attempts + 1') } : {}),
          updated_at: knex.fn.now(),
        });
    },

    async lockCustomer(trx: Knex.Transaction, handoverId: string, externalUserid: string): Promise<CustomerRow | undefined> {
      return (await trx(CUSTOMERS).where({ handover_id: handoverId, external_userid: externalUserid }).forUpdate().first()) as CustomerRow | undefined;
    },

    async openCustomerCount(handoverId: string, knex: Knex = db): Promise<number> {
      const row = (await knex(CUSTOMERS).where('handover_id', handoverId).whereIn('status', ['pending', 'waiting']).count({ n: '*' }).first()) as { n: string };
      return Number(row.n);
    },

    async accountNames(userids: string[], knex: Knex = db): Promise<Map<string, string>> {
      if (!userids.length) return new Map();
      const rows = (await knex('wss_wecom_accounts').whereIn('userid', userids).select('userid', 'name')) as { userid: string; name: string }[];
      return new Map(rows.map((r) => [r.userid, r.name]));
    },

    async storeNames(ids: string[], knex: Knex = db): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = (await knex('wss_stores').whereIn('id', ids).select('id', 'name')) as { id: string; name: string }[];
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}

export type HandoverStore = ReturnType<typeof createHandoverStore>;
