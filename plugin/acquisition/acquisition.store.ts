/** knex only: guide modes, links per serving account, the synced quota. */
import type { Knex } from 'knex';
import { servingUseridSql } from '../core/serving.js';
import { whereInScope, type Scope } from '../access/scope.js';
import type { QuotaEpisodes, QuotaSnapshot } from './quota-rules.js';

export type GuideMode = 'mini_program' | 'link';

export interface LinkRow {
  accountUserid: string;
  linkId: string;
  url: string;
  status: 'active' | 'unavailable';
  statusReason: string | null;
}

export interface QuotaRow extends QuotaSnapshot, QuotaEpisodes {
  syncedAt: Date;
}

export interface ModeRow {
  storeId: string;
  storeName: string;
  branchId: string;
  mode: GuideMode;
  servingUserid: string | null;
}

export function createAcquisitionStore(db: Knex) {
  const linkColumns = ['account_userid as accountUserid', 'link_id as linkId', 'url', 'status', 'status_reason as statusReason'];
  return {
    /** The stores' branches, for scope checks; unknown ids are left out. */
    async storeBranches(trx: Knex | Knex.Transaction, storeIds: readonly string[]): Promise<Map<string, string>> {
      const rows = await trx('wss_stores').whereIn('id', storeIds).select('id', 'branch_id');
      return new Map(rows.map((r: { id: string; branch_id: string }) => [r.id, r.branch_id]));
    },

    async modesOf(trx: Knex | Knex.Transaction, storeIds: readonly string[]): Promise<Map<string, GuideMode>> {
      const rows = await trx('wss_store_guide_modes').whereIn('store_id', storeIds).select('store_id', 'mode');
      return new Map(rows.map((r: { store_id: string; mode: GuideMode }) => [r.store_id, r.mode]));
    },

    async setModes(trx: Knex.Transaction, storeIds: readonly string[], mode: GuideMode, by: string): Promise<void> {
      if (!storeIds.length) return;
      await trx('wss_store_guide_modes')
        .insert(storeIds.map((id) => ({ store_id: id, mode, updated_by: by, updated_at: trx.fn.now() })))
        .onConflict('store_id').merge(['mode', 'updated_by', 'updated_at']);
    },

    /** Stores in link mode with the account that takes their new customers (open stores only). */
    async linkModeStores(scope: Scope): Promise<ModeRow[]> {
      const query = db('wss_store_guide_modes as m')
        .join('wss_stores as s', 's.id', 'm.store_id')
        .where('m.mode', 'link')
        .andWhere('s.is_open', true)
        .select('s.id as storeId', 's.name as storeName', 's.branch_id as branchId', 'm.mode', db.raw(`${servingUseridSql('s')} AS "servingUserid"`))
        .orderBy('s.id');
      return whereInScope(query, scope, 's.branch_id');
    },

    async accountNames(userids: readonly string[]): Promise<Map<string, string>> {
      const rows = await db('wss_wecom_accounts').whereIn('userid', userids).select('userid', 'name');
      return new Map(rows.map((r: { userid: string; name: string | null }) => [r.userid, r.name ?? r.userid]));
    },

    async links(): Promise<LinkRow[]> {
      return db('wss_acquisition_links').select(linkColumns).orderBy('account_userid');
    },

    async saveLink(link: Omit<LinkRow, 'statusReason'>): Promise<void> {
      await db('wss_acquisition_links')
        .insert({ account_userid: link.accountUserid, link_id: link.linkId, url: link.url, status: link.status, status_reason: null })
        .onConflict('account_userid').merge({ link_id: link.linkId, url: link.url, status: link.status, status_reason: null, updated_at: db.fn.now() });
    },

    async markLink(accountUserid: string, status: LinkRow['status'], reason: string | null): Promise<void> {
      await db('wss_acquisition_links').where('account_userid', accountUserid).update({ status, status_reason: reason, updated_at: db.fn.now() });
    },

    async removeLink(accountUserid: string): Promise<void> {
      await db('wss_acquisition_links').where('account_userid', accountUserid).delete();
    },

    /** The guide's question: the link URL for this store and account, when the store uses link mode now. */
    async guideLink(storeId: string, accountUserid: string): Promise<string | null> {
      const row = await db('wss_store_guide_modes as m')
        .join('wss_acquisition_links as l', 'l.account_userid', db.raw('?', [accountUserid]))
        .where({ 'm.store_id': storeId, 'm.mode': 'link', 'l.status': 'active' })
        .whereNotExists(db('wss_acquisition_quota').whereNotNull('exhausted_since').select(db.raw('1')))
        .first('l.url');
      return row?.url ?? null;
    },

    async quota(trx: Knex | Knex.Transaction = db): Promise<QuotaRow | null> {
      const row = await trx('wss_acquisition_quota').where('id', 1).first();
      if (!row) return null;
      return {
        total: row.total,
        balance: row.balance,
        packages: (row.packages as { balance: number; expireDate: string }[]).map((p) => ({ balance: p.balance, expireDate: new Date(p.expireDate) })),
        lowSince: row.low_since,
        exhaustedSince: row.exhausted_since,
        syncedAt: row.synced_at,
      };
    },

    async saveQuota(trx: Knex.Transaction, quota: QuotaSnapshot, episodes: QuotaEpisodes): Promise<void> {
      const row = {
        id: 1,
        total: quota.total,
        balance: quota.balance,
        packages: JSON.stringify(quota.packages.map((p) => ({ balance: p.balance, expireDate: p.expireDate.toISOString() }))),
        low_since: episodes.lowSince,
        exhausted_since: episodes.exhaustedSince,
        synced_at: trx.fn.now(),
      };
      await trx('wss_acquisition_quota').insert(row).onConflict('id').merge();
    },
  };
}

export type AcquisitionStore = ReturnType<typeof createAcquisitionStore>;
