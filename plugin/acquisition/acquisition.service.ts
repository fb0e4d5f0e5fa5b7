/**
 * Customer acquisition links as a guide mode: HQ puts stores in link mode; each account that serves
 * a link-mode store gets one link (range = that account), kept in step with routing and failover.
 * The quota is synced; low balance, exhaustion and expiring packages warn HQ through the alerts
 * outbox (keys per episode, so once each), and while it is exhausted every link-mode store shows the
 * QR instead (the guide asks `guideLink`, which answers null then).
 */
import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { authorOf, writeAudit } from '../core/audit.js';
import { forbidden, notFound } from '../core/errors.js';
import { LOCKS, xactLock } from '../core/locks.js';
import { inScope, scopeOf, SYSTEM_SCOPE } from '../access/scope.js';
import type { AlertsService } from '../alerts/index.js';
import type { ContactChange } from '../wecom-callbacks/index.js';
import type { WecomClient } from '../wecom/index.js';
import type { AcquisitionStatusBody } from '../contract/index.js';
import type { AcquisitionConfig } from './acquisition.config.js';
import type { AcquisitionStore, GuideMode } from './acquisition.store.js';
import { nextEpisodes, quotaWarnings, type QuotaSnapshot, type QuotaWarning } from './quota-rules.js';

export type AcquisitionApi = Pick<WecomClient, 'createAcquisitionLink' | 'updateAcquisitionLink' | 'getAcquisitionLink' | 'deleteAcquisitionLink' | 'acquisitionQuota'>;

export interface LinkSyncReport {
  created: number;
  deleted: number;
  failed: number;
}

/** WeCom's customer_acquisition events that mean the quota or a link changed. */
const QUOTA_EVENTS = new Set(['balance_low', 'balance_exhausted', 'balance_increased', 'quota_expire_soon']);
const LINK_EVENTS = new Set(['link_unavailable', 'delete_link']);

export interface AcquisitionService {
  /** Port of the customer path: the link the guide opens for this store's account, or null (QR). */
  guideLink(storeId: string, accountUserid: string): Promise<string | null>;
  /** Port of the bindings feature: these stores' new customers moved; their links follow. */
  routingChanged(storeIds: string[]): void;
  /** Port of the WeCom callbacks feature: quota and link events trigger a sync now. */
  contactChanged(event: ContactChange): Promise<unknown>;
  /** HQ: puts stores in link mode or back to the mini program; links are made in the background. */
  setGuideMode(actor: Actor, storeIds: string[], mode: GuideMode): Promise<{ updated: number }>;
  status(actor: Actor): Promise<AcquisitionStatusBody>;
  /** Job `acquisition-sync`: quota first, then links for every serving account of a link-mode store. */
  sync(signal?: AbortSignal): Promise<{ quota: QuotaSnapshot | null; links: LinkSyncReport }>;
  syncQuota(): Promise<QuotaSnapshot | null>;
  syncLinks(signal?: AbortSignal, options?: { verify?: boolean }): Promise<LinkSyncReport>;
  /** Resolves when background syncs have finished (tests, shutdown). */
  idle(): Promise<void>;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createAcquisitionService(deps: {
  db: Knex;
  store: AcquisitionStore;
  config: AcquisitionConfig;
  alerts: Pick<AlertsService, 'enqueue'>;
  wecom?: AcquisitionApi;
  timezone: string;
  logger: Logger;
}): AcquisitionService {
  const { db, store, config, alerts, logger } = deps;
  const running = new Set<Promise<unknown>>();
  const day = (d: Date) => new Intl.DateTimeFormat('zh-CN', { timeZone: deps.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

  function background(what: string, task: () => Promise<unknown>): void {
    const run = task().catch((error: unknown) => logger.warn(`acquisition ${what} failed; the job catches up`, { error: errorText(error) })).finally(() => running.delete(run));
    running.add(run);
  }

  function warningText(warning: QuotaWarning, linkStores: number): string {
    if (warning.kind === 'acquisition_quota_exhausted') {
      return `获客助手额度已用尽(剩余0),${linkStores}家使用获客链接的门店已自动改为二维码添加,请尽快购买额度。`;
    }
    if (warning.kind === 'acquisition_quota_low') {
      return `获客助手额度即将用尽:剩余${warning.balance}个(低于${config.balanceLowBelow}),用尽后${linkStores}家使用获客链接的门店将自动改为二维码添加。`;
    }
    return `获客助手额度将于${day(warning.expireDate!)}到期:该批次还有${warning.expiringBalance}个未使用(总剩余${warning.balance}个)。`;
  }

  async function syncQuota(): Promise<QuotaSnapshot | null> {
    if (!deps.wecom) return null;
    const answer = await deps.wecom.acquisitionQuota();
    const snapshot: QuotaSnapshot = {
      total: answer.total,
      balance: answer.balance,
      packages: answer.quota_list.map((p) => ({ balance: p.balance, expireDate: new Date(p.expire_date * 1000) })),
    };
    const linkStores = (await store.linkModeStores(SYSTEM_SCOPE)).length;
    await db.transaction(async (trx) => {
      await xactLock(trx, LOCKS.acquisition());
      const previous = await store.quota(trx);
      const now = new Date();
      const episodes = nextEpisodes(previous ?? { lowSince: null, exhaustedSince: null }, snapshot, config.balanceLowBelow, now);
      await store.saveQuota(trx, snapshot, episodes);
      const warnings = quotaWarnings(episodes, snapshot, config.expiryWarnDays, now);
      await alerts.enqueue(trx, warnings.map((w) => ({
        key: w.key, kind: w.kind, text: warningText(w, linkStores), branchIds: [], hqOnly: true,
        details: { balance: w.balance, linkStores, ...(w.expireDate ? { expireDate: w.expireDate.toISOString() } : {}) },
      })));
      if (episodes.exhaustedSince && !previous?.exhaustedSince) logger.warn('acquisition quota exhausted: link-mode stores show the QR', { linkStores });
    });
    return snapshot;
  }

  async function syncLinks(signal?: AbortSignal, options: { verify?: boolean } = {}): Promise<LinkSyncReport> {
    const api = deps.wecom;
    const report: LinkSyncReport = { created: 0, deleted: 0, failed: 0 };
    if (!api) return report;
    const wanted = new Set((await store.linkModeStores(SYSTEM_SCOPE)).map((s) => s.servingUserid).filter((u): u is string => Boolean(u)));
    const existing = await store.links();
    const names = await store.accountNames([...wanted]);
    for (const link of existing) {
      if (signal?.aborted) return report;
      if (wanted.has(link.accountUserid)) {
        if (!options.verify) continue;
        try {
          await api.getAcquisitionLink(link.linkId);
          continue;
        } catch (error) {
          // Deleted in WeCom or no longer usable: replaced below with a new link.
          logger.warn('acquisition link gone in WeCom; replacing it', { accountUserid: link.accountUserid, error: errorText(error) });
          await store.removeLink(link.accountUserid);
        }
      } else {
        try {
          await api.deleteAcquisitionLink(link.linkId);
        } catch (error) {
          logger.warn('acquisition link could not be deleted in WeCom; dropping our row', { linkId: link.linkId, error: errorText(error) });
        }
        await store.removeLink(link.accountUserid);
        report.deleted += 1;
      }
    }
    const have = new Set((await store.links()).map((l) => l.accountUserid));
    for (const userid of wanted) {
      if (signal?.aborted) break;
      if (have.has(userid)) continue;
      try {
        const linkName = `${config.linkNamePrefix}·${names.get(userid) ?? userid}`.slice(0, 30);
        const link = await api.createAcquisitionLink({ link_name: linkName, range: { user_list: [userid] }, skip_verify: true });
        await store.saveLink({ accountUserid: userid, linkId: link.link_id, url: link.url, status: 'active' });
        report.created += 1;
      } catch (error) {
        report.failed += 1;
        logger.warn('acquisition link could not be created; the store shows the QR', { accountUserid: userid, error: errorText(error) });
      }
    }
    return report;
  }

  return {
    guideLink: (storeId, accountUserid) => store.guideLink(storeId, accountUserid),

    routingChanged(storeIds) {
      if (storeIds.length) background('link sync', () => syncLinks());
    },

    async contactChanged(event) {
      if (!event.changeType) return null;
      if (QUOTA_EVENTS.has(event.changeType)) return syncQuota();
      if (LINK_EVENTS.has(event.changeType)) return syncLinks(undefined, { verify: true });
      return null;
    },

    async setGuideMode(actor, storeIds, mode) {
      if (actor.branchScope !== 'all') throw forbidden('只有总部企微运营可以设置引导方式 (HQ only)');
      const ids = [...new Set(storeIds)];
      const updated = await db.transaction(async (trx) => {
        const branches = await store.storeBranches(trx, ids);
        const unknown = ids.filter((id) => !branches.has(id));
        if (unknown.length) throw notFound(`门店不存在 (unknown stores): ${unknown.slice(0, 20).join(', ')}`, 'unknown_store');
        const before = await store.modesOf(trx, ids);
        await store.setModes(trx, ids, mode, actor.id);
        await writeAudit(trx, authorOf(actor), ids.map((id) => ({
          action: 'guide_mode.set', entityType: 'store', entityId: id, storeId: id, branchId: branches.get(id)!,
          before: { mode: before.get(id) ?? 'mini_program' }, after: { mode },
        })));
        return ids.length;
      });
      background('link sync', () => syncLinks());
      return { updated };
    },

    async status(actor) {
      const scope = scopeOf(actor);
      const [quota, stores, links] = await Promise.all([store.quota(), store.linkModeStores(scope), store.links()]);
      const byAccount = new Map(links.map((l) => [l.accountUserid, l]));
      const names = await store.accountNames(stores.map((s) => s.servingUserid).filter((u): u is string => Boolean(u)));
      const exhausted = Boolean(quota?.exhaustedSince);
      return {
        quota: quota
          ? { total: quota.total, balance: quota.balance, low: Boolean(quota.lowSince), exhausted, syncedAt: quota.syncedAt.toISOString(),
              packages: quota.packages.map((p) => ({ balance: p.balance, expireDate: p.expireDate.toISOString() })) }
          : null,
        lowBelow: config.balanceLowBelow,
        stores: stores.filter((s) => inScope(scope, s.branchId)).map((s) => {
          const link = s.servingUserid ? byAccount.get(s.servingUserid) : undefined;
          const showing: 'link' | 'qr' = link?.status === 'active' && !exhausted ? 'link' : 'qr';
          const fallbackReason = showing === 'link' ? null : exhausted ? 'quota_exhausted' : !s.servingUserid ? 'no_account' : link ? 'link_unavailable' : 'link_pending';
          return { storeId: s.storeId, storeName: s.storeName, accountUserid: s.servingUserid, accountName: s.servingUserid ? (names.get(s.servingUserid) ?? null) : null, showing, fallbackReason };
        }),
      };
    },

    async sync(signal) {
      const quota = await syncQuota();
      const links = await syncLinks(signal, { verify: true });
      return { quota, links };
    },
    syncQuota,
    syncLinks,

    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
