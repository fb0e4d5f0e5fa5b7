import type { Knex } from 'knex';
import { servingUseridSql } from '../core/serving.js';

export interface GuideVisitRow {
  id: string;
  storeId: string;
  visitorId: string;
  orderId: string | null;
  clientType: string;
  source: 'pool' | 'store' | 'none';
  state: string | null;
  configId: string | null;
  qrCode: string | null;
  createdAt: Date;
  leaseUntil: Date;
  confirmedAt: Date | null;
}

export interface GuideStoreInfo {
  storeId: string;
  storeName: string;
  visible: boolean;
  accountUserid: string | null;
  accountName: string | null;
}

export interface LeasedWay {
  configId: string;
  state: string;
  qrCode: string;
}

const SERVING_USERID = servingUseridSql('s');

/** `AND <column> IN (…)` when the caller limits a pool run to some stores. */
const onlyStores = (column: string, storeIds?: readonly string[]) =>
  storeIds ? { sql: `AND ${column} IN (${storeIds.map(() => '?').join(', ') || 'NULL'})`, bindings: [...storeIds] } : { sql: '', bindings: [] };

const VISIT_COLUMNS = `id, store_id AS "storeId", visitor_id AS "visitorId", order_id AS "orderId",
  client_type AS "clientType", source, state, config_id AS "configId", qr_code AS "qrCode",
  created_at AS "createdAt", lease_until AS "leaseUntil", confirmed_at AS "confirmedAt"`;

/** Knex only: guide visits, the leased contact-way pool, and what the guide page shows of a store. */
export function createGuideStore(db: Knex) {
  return {
    /** Public facts of one store: shown or not, and the account that takes its new customers. */
    async storeInfo(storeId: string): Promise<GuideStoreInfo | null> {
      const { rows } = await db.raw<{ rows: GuideStoreInfo[] }>(
        `SELECT s.id AS "storeId", s.name AS "storeName", (coalesce(e.visible, false) AND s.is_open) AS visible,
                a.userid AS "accountUserid", a.name AS "accountName"
         FROM wss_stores s
         LEFT JOIN wss_store_entries e ON e.store_id = s.id
         LEFT JOIN wss_wecom_accounts a ON a.userid = ${SERVING_USERID}
         WHERE s.id = ?`,
        [storeId],
      );
      return rows[0] ?? null;
    },

    /** The store-level live code the binding workflow keeps; null when the store has none. */
    async storeLiveCode(storeId: string): Promise<LeasedWay | null> {
      const row = await db('wss_store_live_codes').where('store_id', storeId).first('config_id', 'qr_code', 'state');
      return row?.qr_code ? { configId: row.config_id, qrCode: row.qr_code, state: row.state } : null;
    },

    async storeForLiveCodeState(state: string): Promise<string | null> {
      const row = await db('wss_store_live_codes').where('state', state).first('store_id');
      return row?.store_id ?? null;
    },

    /** This visitor's latest visit of the store whose add WeCom confirmed within the last days. */
    async confirmedVisit(storeId: string, visitorId: string, withinDays: number): Promise<GuideVisitRow | null> {
      const { rows } = await db.raw<{ rows: GuideVisitRow[] }>(
        `SELECT ${VISIT_COLUMNS} FROM wss_guide_visits
         WHERE store_id = ? AND visitor_id = ? AND confirmed_at > now() - make_interval(days => ?)
         ORDER BY confirmed_at DESC LIMIT 1`,
        [storeId, visitorId, withinDays],
      );
      return rows[0] ?? null;
    },

    async reusableVisit(storeId: string, visitorId: string): Promise<GuideVisitRow | null> {
      const { rows } = await db.raw<{ rows: GuideVisitRow[] }>(
        `SELECT ${VISIT_COLUMNS} FROM wss_guide_visits
         WHERE store_id = ? AND visitor_id = ? AND lease_until > now() AND confirmed_at IS NULL
         ORDER BY created_at DESC LIMIT 1`,
        [storeId, visitorId],
      );
      return rows[0] ?? null;
    },

    async visit(id: string): Promise<GuideVisitRow | null> {
      const { rows } = await db.raw<{ rows: GuideVisitRow[] }>(`SELECT ${VISIT_COLUMNS} FROM wss_guide_visits WHERE id = ?`, [id]);
      return rows[0] ?? null;
    },

    /** Leases one free pool way of the store's current account to a visit (SKIP LOCKED: no waiting). */
    async leaseWay(trx: Knex.Transaction, storeId: string, accountUserid: string, visitId: string, leaseMinutes: number): Promise<LeasedWay | null> {
      const { rows } = await trx.raw<{ rows: LeasedWay[] }>(
        `UPDATE wss_guide_contact_ways w SET leased_visit_id = ?, leased_until = now() + make_interval(mins => ?)
         WHERE w.config_id = (
           SELECT config_id FROM wss_guide_contact_ways
           WHERE store_id = ? AND account_userid = ? AND (leased_until IS NULL OR leased_until < now())
           ORDER BY leased_until NULLS FIRST, config_id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING config_id AS "configId", state, qr_code AS "qrCode"`,
        [visitId, leaseMinutes, storeId, accountUserid],
      );
      return rows[0] ?? null;
    },

    /** Pool leases still running: of this requester at the store, of this visitor anywhere, and started at the store in the last minute. */
    async activeLeases(trx: Knex.Transaction, q: { storeId: string; requester: string | null; visitorId: string }) {
      const { rows } = await trx.raw<{ rows: { requesterAtStore: number; visitor: number; storeLastMinute: number }[] }>(
        `SELECT
           (SELECT count(*)::int FROM wss_guide_visits WHERE store_id = ? AND requester = ? AND source = 'pool'
              AND lease_until > now() AND confirmed_at IS NULL) AS "requesterAtStore",
           (SELECT count(*)::int FROM wss_guide_visits WHERE visitor_id = ? AND source = 'pool'
              AND lease_until > now() AND confirmed_at IS NULL) AS "visitor",
           (SELECT count(*)::int FROM wss_guide_visits WHERE store_id = ? AND source = 'pool'
              AND created_at > now() - interval '1 minute') AS "storeLastMinute"`,
        [q.storeId, q.requester, q.visitorId, q.storeId],
      );
      return rows[0];
    },

    async insertVisit(
      trx: Knex.Transaction,
      visit: Omit<GuideVisitRow, 'createdAt' | 'leaseUntil' | 'confirmedAt'> & { requester: string | null },
      leaseMinutes: number,
    ): Promise<GuideVisitRow> {
      const { rows } = await trx.raw<{ rows: GuideVisitRow[] }>(
        `INSERT INTO wss_guide_visits (id, store_id, visitor_id, order_id, client_type, source, state, config_id, qr_code, lease_until, requester)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now() + make_interval(mins => ?), ?)
         RETURNING ${VISIT_COLUMNS}`,
        [visit.id, visit.storeId, visit.visitorId, visit.orderId, visit.clientType, visit.source, visit.state, visit.configId, visit.qrCode, leaseMinutes, visit.requester],
      );
      return rows[0];
    },

    /** The visit a per-visit state was leased to at `addedAt` (the latest lease that started before it). */
    async visitForState(state: string, addedAt: Date): Promise<GuideVisitRow | null> {
      const { rows } = await db.raw<{ rows: GuideVisitRow[] }>(
        `SELECT ${VISIT_COLUMNS} FROM wss_guide_visits
         WHERE state = ? AND created_at <= ?::timestamptz + interval '5 seconds'
         ORDER BY created_at DESC LIMIT 1`,
        [state, addedAt.toISOString()],
      );
      return rows[0] ?? null;
    },

    /** Visits of a store shown the store-level code whose lease covers `addedAt`. */
    async storeCodeVisitsAt(storeId: string, addedAt: Date, limit = 2): Promise<GuideVisitRow[]> {
      const { rows } = await db.raw<{ rows: GuideVisitRow[] }>(
        `SELECT ${VISIT_COLUMNS} FROM wss_guide_visits
         WHERE store_id = ? AND source = 'store' AND confirmed_at IS NULL
           AND created_at <= ?::timestamptz + interval '5 seconds' AND lease_until >= ?::timestamptz
         ORDER BY created_at DESC LIMIT ?`,
        [storeId, addedAt.toISOString(), addedAt.toISOString(), limit],
      );
      return rows;
    },

    /** Marks the visit confirmed and hands its pool way back at once. */
    async confirmVisit(visitId: string, at: Date): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('wss_guide_visits').where('id', visitId).whereNull('confirmed_at').update({ confirmed_at: at });
        await trx('wss_guide_contact_ways').where('leased_visit_id', visitId).update({ leased_until: trx.fn.now() });
      });
    },

    /**
     * Shown, open stores with a serving account and how many pool ways of that account they hold
     * (only `storeIds` when given).
     */
    async poolDeficits(perStore: number, limit: number, storeIds?: readonly string[]): Promise<{ storeId: string; accountUserid: string; missing: number }[]> {
      const only = onlyStores('s.id', storeIds);
      const { rows } = await db.raw<{ rows: { storeId: string; accountUserid: string; missing: number }[] }>(
        `SELECT "storeId", "accountUserid", (? - held)::int AS missing
         FROM (
           SELECT s.id AS "storeId", a.userid AS "accountUserid",
                  (SELECT count(*) FROM wss_guide_contact_ways w WHERE w.store_id = s.id AND w.account_userid = a.userid) AS held
           FROM wss_stores s
           JOIN wss_store_entries e ON e.store_id = s.id AND e.visible
           JOIN wss_wecom_accounts a ON a.userid = ${SERVING_USERID}
           WHERE s.is_open ${only.sql}
         ) pool
         WHERE held < ?
         ORDER BY "storeId" LIMIT ?`,
        [perStore, ...only.bindings, perStore, limit],
      );
      return rows;
    },

    /**
     * Free pool ways that no longer match their shown store's serving account (rebound, failed over,
     * hidden or closed); only ways of `storeIds` when given.
     */
    async staleWays(limit: number, storeIds?: readonly string[]): Promise<string[]> {
      const only = onlyStores('w.store_id', storeIds);
      const { rows } = await db.raw<{ rows: { config_id: string }[] }>(
        `SELECT w.config_id FROM wss_guide_contact_ways w
         WHERE (w.leased_until IS NULL OR w.leased_until < now()) ${only.sql}
           AND NOT EXISTS (
             SELECT 1 FROM wss_stores s
             JOIN wss_store_entries e ON e.store_id = s.id AND e.visible
             WHERE s.id = w.store_id AND s.is_open AND ${SERVING_USERID} = w.account_userid)
         ORDER BY w.config_id LIMIT ?`,
        [...only.bindings, limit],
      );
      return rows.map((r) => r.config_id);
    },

    async addWay(way: { configId: string; storeId: string; state: string; qrCode: string; accountUserid: string }): Promise<void> {
      await db('wss_guide_contact_ways').insert({
        config_id: way.configId, store_id: way.storeId, state: way.state, qr_code: way.qrCode, account_userid: way.accountUserid,
      });
    },

    async removeWay(configId: string): Promise<void> {
      await db('wss_guide_contact_ways').where('config_id', configId).delete();
    },
  };
}

export type GuideStore = ReturnType<typeof createGuideStore>;
