import type { Knex } from 'knex';
import type { Actor } from '../host/adapter.js';
import type { Logger } from '../core/logger.js';
import { notFound } from '../core/errors.js';
import { authorOf } from '../core/audit.js';
import { scopeOf } from '../access/scope.js';
import type { CapacityAccountItem, CapacityRules, EnterpriseCapacityBody, FillBand, LimitChangeBody } from '../contract/index.js';
import { renderTemplate, type AlertMessage, type AlertsService } from '../alerts/index.js';
import type { WecomClient } from '../wecom/index.js';
import { SETTLE_MARGIN_MS, type ContactChange, type ContactCountListener, type ContactEventLedger, type ListedAccount } from '../wecom-callbacks/index.js';
import { listedIds, type ListedIds } from './listed-ids.js';
import { DistinctEstimate } from './distinct-estimate.js';
import { createEnterpriseCapacity } from './enterprise.js';
import type { CapacityConfig } from './capacity.config.js';
import type { AccountListFilter, CapacityStore, LevelRow } from './capacity.store.js';
import { forecastFill, forecastText, type Forecast } from './forecast.js';
import { decideRoute } from './failover.js';

/** What the sync needs from the WeCom client. 84061 must come back as []. */
export type CustomerLister = Pick<WecomClient, 'listExternalContacts'>;

/** The binding workflow's routing switch (BindingsService): null hides the store's entry. */
export interface CapacityRouting {
  routeNewCustomersTo(storeId: string, accountUserid: string | null, reason: string): Promise<unknown>;
}

export interface CapacityService extends ContactCountListener {
  /** Re-checks thresholds and routing of these accounts (after their counts or limits changed). */
  evaluate(accountIds: string[]): Promise<{ warningsQueued: number; routeChanges: number }>;
  countsChanged(userids: string[]): Promise<{ warningsQueued: number; routeChanges: number }>;
  /** Port of the bindings feature: a bind stored WeCom's count of these accounts; check them as usual. */
  accountsCounted(accountIds: string[]): Promise<unknown>;
  /** Port of the WeCom callbacks feature: a change of a live count re-checks that account. */
  contactChanged(event: ContactChange): Promise<unknown>;
  /**
   * Port of the WeCom callbacks feature, inside the apply transaction: the thresholds are checked
   * (and warnings queued) in the transaction that changed the count, so a crash loses neither.
   */
  countChanged(trx: Knex.Transaction, userid: string): Promise<number>;
  /**
   * Job `capacity-sync`: every counted account (active and retired bindings) against WeCom's list,
   * page by page. The WeCom client's limiter keeps the calls inside the API budget.
   */
  sync(signal?: AbortSignal): Promise<CapacitySyncReport>;
  listAccounts(actor: Actor, filter: AccountListFilter): Promise<{ total: number; bands: FillBand[]; items: CapacityAccountItem[] }>;
  /** HQ edits an account's limit (≤20,000); thresholds and routing are re-checked at once. */
  setLimit(actor: Actor, accountId: string, limit: number, reason?: string): Promise<LimitChangeBody['account']>;
  rules(): CapacityRules;
  /** The enterprise's customers, counted once, against the scale HQ bought. */
  enterprise(): Promise<EnterpriseCapacityBody>;
  /** HQ sets the purchased external-contact scale (null: not tracked); levels are checked at once. */
  setPurchasedScale(actor: Actor, scale: number | null, reason?: string): Promise<EnterpriseCapacityBody>;
}

export interface CapacitySyncReport {
  accounts: number;
  counted: number;
  failed: number;
  drifted: number;
  /** Sum of |WeCom − live| over the accounts. */
  totalAbsDrift: number;
  maxAbsDrift: number;
  warningsQueued: number;
  durationMs: number;
}

const SYNC_PAGE = 500;

/** One page of accounts as WeCom listed them, every list asked for after `since`. */
interface ListedPage {
  since: Date;
  accounts: (ListedAccount & { id: string; listed: ListedIds })[];
}

export function createCapacityService(deps: {
  db: Knex;
  store: CapacityStore;
  alerts: Pick<AlertsService, 'enqueue'>;
  config: CapacityConfig;
  logger: Logger;
  /** The stored callback events the reconcile nets out (WeCom callbacks feature). */
  contactEvents: ContactEventLedger;
  wecom?: CustomerLister;
  routing?: CapacityRouting;
  /** Parallel list calls; the client's own limiter keeps the per-API budget. */
  syncConcurrency?: number;
}): CapacityService {
  const { db, store, alerts, config, logger } = deps;
  const levels = [...config.thresholds].sort((a, b) => a - b);
  const margin = config.rearmMargin;
  const enterprise = createEnterpriseCapacity({ db, alerts, levels, rearmMargin: margin, forecastWindowDays: config.forecastWindowDays });

  /** Applies hysteresis to one account; returns the level to warn about (the highest newly crossed). */
  function step(percent: number, rows: LevelRow[]): { changed: LevelRow[]; warn: LevelRow | null } {
    const changed: LevelRow[] = [];
    let warn: LevelRow | null = null;
    for (const row of rows) {
      if (row.armed && percent >= row.level) {
        const next = { ...row, armed: false, crossings: row.crossings + 1 };
        changed.push(next);
        warn = next;
      } else if (!row.armed && percent < row.level - margin) {
        changed.push({ ...row, armed: true });
      }
    }
    return { changed, warn };
  }

  /**
   * Checks thresholds for these accounts in one transaction (row locks on their level state, so two
   * processes checking at once warn once) and queues the warnings with it.
   */
  async function checkThresholds(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    return db.transaction((trx) => checkThresholdsIn(trx, ids));
  }

  async function checkThresholdsIn(trx: Knex.Transaction, ids: string[]): Promise<number> {
    const accounts = await store.accountsForCheck(trx, ids);
    const rows = await store.lockLevels(trx, ids, levels);
    await store.recordSamples(trx, accounts);
    const since = await store.oldestSamples(trx, ids, config.forecastWindowDays);
    const bindings = await store.bindingsOf(trx, ids);
    const now = new Date();
    const changed: LevelRow[] = [];
    const messages: AlertMessage[] = [];
    for (const account of accounts) {
      const percent = (account.count * 100) / account.limit;
      const result = step(percent, rows.filter((r) => r.accountId === String(account.id)));
      changed.push(...result.changed);
      if (!result.warn) continue;
      const served = bindings.filter((b) => String(b.accountId) === String(account.id));
      const forecast = forecastFill({ count: account.count, limit: account.limit, levels, since: since.get(String(account.id)) ?? null, now });
      const text = warningText(account, result.warn.level, percent, served, forecast);
      messages.push({
        key: `capacity:${account.id}:${result.warn.level}:${result.warn.crossings}`,
        kind: 'capacity_threshold',
        text,
        branchIds: [...new Set(served.map((b) => b.branchId))],
        accountId: account.id,
        details: { userid: account.userid, level: result.warn.level, count: account.count, limit: account.limit, forecast },
      });
    }
    await store.updateLevels(trx, changed);
    return alerts.enqueue(trx, messages);
  }

  function warningText(
    account: { name: string; userid: string; count: number; limit: number },
    level: number,
    percent: number,
    served: { storeName: string; branchName: string }[],
    forecast: Forecast,
  ): string {
    const prediction = forecastText(forecast);
    const values = {
      name: account.name || account.userid,
      userid: account.userid,
      store: [...new Set(served.map((b) => b.storeName))].join('、'),
      branch: [...new Set(served.map((b) => b.branchName))].join('、'),
      count: account.count,
      limit: account.limit,
      percent: Math.floor(percent),
      level,
      forecast: prediction,
    };
    const main = renderTemplate(config.template, values);
    const extra = prediction && !config.template.includes('{forecast}') && config.forecastTemplate ? renderTemplate(config.forecastTemplate, values) : '';
    return extra ? `${main}\n${extra}` : main;
  }

  /** Re-decides where each affected store's new customers go; tells HQ about every change. */
  async function checkFailover(ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const stores = await store.storesToReroute(ids, config.hardLevel);
    let changes = 0;
    for (const storeId of stores) {
      try {
        if (await rerouteStore(storeId)) changes += 1;
      } catch (err) {
        // The routing call failed: nothing was recorded, so the next check tries again.
        logger.error('capacity failover failed', { storeId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return changes;
  }

  async function rerouteStore(storeId: string): Promise<boolean> {
    return db.transaction(async (trx) => {
      const current = await store.lockRoute(trx, storeId);
      const accounts = await store.storeAccounts(trx, storeId);
      const decision = decideRoute({ current, accounts, hardLevel: config.hardLevel, margin });
      if (!decision) return false;
      if (!deps.routing) {
        logger.warn('capacity failover needed but no routing is wired', { storeId, to: decision.routedTo });
        return false;
      }
      await deps.routing.routeNewCustomersTo(storeId, decision.account?.userid ?? null, decision.reason);
      const changes = current.changes + 1;
      await store.saveRoute(trx, storeId, { routedTo: decision.routedTo, accountUserid: decision.account?.userid ?? null, changes, reason: decision.reason });
      const info = await store.storeInfo(trx, storeId);
      await alerts.enqueue(trx, [
        {
          key: `route:${storeId}:${changes}`,
          kind: decision.reason,
          text: routeNotice(info, decision, accounts.find((a) => a.role === 'primary')),
          branchIds: [info.branchId],
          hqOnly: true,
          details: { storeId, routedTo: decision.routedTo, userid: decision.account?.userid ?? null },
        },
      ]);
      logger.info('capacity routing changed', { storeId, routedTo: decision.routedTo, reason: decision.reason });
      return true;
    });
  }

  async function evaluate(ids: string[]): Promise<{ warningsQueued: number; routeChanges: number }> {
    const warningsQueued = await checkThresholds(ids);
    const routeChanges = await checkFailover(ids);
    return { warningsQueued, routeChanges };
  }

  async function countsChanged(userids: string[]) {
    return evaluate(await store.accountIdsByUserid([...new Set(userids)]));
  }

  return {
    evaluate,
    countsChanged,

    accountsCounted: (ids) => evaluate(ids),

    async contactChanged(event) {
      if (event.customerCount === undefined || !event.userId) return;
      await countsChanged([event.userId]);
      await enterprise.check();
    },

    enterprise: () => enterprise.view(),
    setPurchasedScale: (actor, scale, reason) => enterprise.setPurchasedScale(actor, scale, reason),

    async countChanged(trx, userid) {
      return checkThresholdsIn(trx, await store.accountIdsByUserid([userid], trx));
    },

    async sync(signal) {
      const wecom = deps.wecom;
      if (!wecom) throw new Error('capacity sync needs the WeCom client');
      const started = Date.now();
      const report: CapacitySyncReport = { accounts: 0, counted: 0, failed: 0, drifted: 0, totalAbsDrift: 0, maxAbsDrift: 0, warningsQueued: 0, durationMs: 0 };
      let after: string | null = null;
      const distinct = new DistinctEstimate();
      let complete = true;
      // Writing and checking one page overlaps with counting the next.
      let writing: Promise<void> = Promise.resolve();
      const write = async (page: ListedPage, failures: { id: string; error: string }[]) => {
        // Under the accounts' locks, netting out the callback events stored or applied around the list calls.
        const counted = await db.transaction(async (trx) => {
          const live = await store.lockLiveCounts(trx, page.accounts);
          const counts = await deps.contactEvents.settleListedCounts(trx, { accounts: page.accounts, since: page.since });
          const rows = page.accounts.map((a) => ({ id: a.id, live: live.get(a.id) ?? 0, wecom: a.listed.size, count: counts.get(a.userid) ?? a.listed.size }));
          await store.recordSync(trx, rows, failures);
          return rows;
        });
        for (const c of counted) {
          const drift = Math.abs(c.wecom - c.live);
          if (drift) report.drifted += 1;
          report.totalAbsDrift += drift;
          report.maxAbsDrift = Math.max(report.maxAbsDrift, drift);
        }
        report.counted += counted.length;
        report.failed += failures.length;
        if (failures.length) complete = false;
        for (const account of page.accounts) account.listed.forEachHash((h) => distinct.addHash(h));
        report.warningsQueued += (await evaluate(counted.map((c) => c.id))).warningsQueued;
      };
      try {
        for (;;) {
          if (signal?.aborted) throw new Error('capacity sync aborted');
          const page = await store.countedAccountsPage(after, SYNC_PAGE);
          if (!page.length) break;
          after = String(page[page.length - 1].id);
          report.accounts += page.length;
          const listedPage: ListedPage = { since: new Date(Date.now() - SETTLE_MARGIN_MS), accounts: [] };
          const failures: { id: string; error: string }[] = [];
          let next = 0;
          const worker = async () => {
            while (next < page.length && !signal?.aborted) {
              const account = page[next++];
              try {
                const listed = listedIds(await wecom.listExternalContacts(account.userid));
                listedPage.accounts.push({ id: String(account.id), userid: account.userid, listed });
              } catch (err) {
                failures.push({ id: String(account.id), error: err instanceof Error ? err.message.slice(0, 300) : String(err) });
              }
            }
          };
          await Promise.all(Array.from({ length: Math.min(deps.syncConcurrency ?? 10, page.length) }, worker));
          await writing;
          writing = write(listedPage, failures);
          writing.catch(() => undefined); // awaited (and rethrown) before the next write
        }
      } finally {
        await writing;
      }
      // Customers counted once across the accounts; a sync with failed lists would undercount.
      if (complete) await enterprise.recordDistinct(distinct.estimate());
      report.warningsQueued += await enterprise.check();
      report.durationMs = Date.now() - started;
      if (report.drifted || report.failed) logger.warn('capacity sync found drift or failures', { ...report });
      else logger.info('capacity sync done', { ...report });
      return report;
    },

    async listAccounts(actor, filter) {
      const result = await store.listAccounts(scopeOf(actor), filter, config.forecastWindowDays, levels);
      const now = new Date();
      return {
        total: result.total,
        bands: result.bands,
        items: result.items.map((row: Record<string, unknown> & { count: number; limit: number; since: { at: string; count: number } | null }) => {
          const { since, ...rest } = row;
          return {
            ...(rest as Omit<CapacityAccountItem, 'forecast'>),
            forecast: forecastFill({ count: row.count, limit: row.limit, levels, since: since ? { at: new Date(since.at), count: since.count } : null, now }),
          };
        }),
      };
    },

    async setLimit(actor, accountId, limit, reason) {
      const before = await store.findAccount(scopeOf(actor), accountId);
      if (!before) throw notFound(`企微账号 ${accountId} 不存在`, 'account_not_found');
      await db.transaction(async (trx) => {
        await store.setLimit(trx, accountId, limit);
        await store.audit(trx, { by: authorOf(actor), action: 'capacity.limit.update', entityId: accountId, before: { limit: before.limit }, after: { limit }, reason });
      });
      await evaluate([accountId]);
      return { ...before, limit, percent: Math.round(((before.count * 100) / limit) * 10) / 10 };
    },

    rules() {
      return { thresholds: levels, rearmMargin: margin, hardLevel: config.hardLevel, forecastWindowDays: config.forecastWindowDays, template: config.template, forecastTemplate: config.forecastTemplate };
    },
  };
}

function routeNotice(
  info: { name: string; branchName: string },
  decision: NonNullable<ReturnType<typeof decideRoute>>,
  primary: { name: string; userid: string; count: number; limit: number } | undefined,
): string {
  const where = `${info.name}(${info.branchName})`;
  const fill = primary ? `${primary.name || primary.userid}(账号:${primary.userid})客户容量${Math.floor((primary.count * 100) / primary.limit)}%` : '主账号';
  if (decision.routedTo === 'backup') return `${where}${fill}，新客户已切换至备用账号${decision.account!.name || decision.account!.userid}(账号:${decision.account!.userid})。`;
  if (decision.routedTo === 'none') return `${where}所有企微账号客户容量已满，门店入口已自动隐藏，请尽快扩容或绑定新账号。`;
  return `${where}${fill}，容量已恢复，新客户已切回主账号。`;
}

