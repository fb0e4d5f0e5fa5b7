import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { LOCKS, xactLock } from '../core/locks.js';
import { STORE_STATE_PREFIX, VISIT_STATE_PREFIX } from '../core/contact-states.js';
import type { GuideVisitView } from '../contract/index.js';
import type { WecomClient } from '../wecom/index.js';
import { CONFIRMED_ADD, type TrackingService } from '../tracking/index.js';
import type { CustomerPathConfig } from './customer-path.config.js';
import type { GuideStore, GuideVisitRow } from './guide.store.js';
import type { MiniProgramLinks } from './mini-program.js';

/** The WeCom calls the pool needs. */
export type ContactWayApi = Pick<WecomClient, 'addContactWay' | 'delContactWay'>;

/**
 * Where the guide gets a store's acquisition link (the acquisition feature): the link of the
 * account serving the store when HQ set it to link mode and it is usable now, else null.
 */
export interface GuideLinkSource {
  guideLink(storeId: string, accountUserid: string): Promise<string | null>;
}

/** The link with the visit's state as `customer_channel`: the add comes back with that state. */
export function withCustomerChannel(url: string, state: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}customer_channel=${encodeURIComponent(state)}`;
}

export interface ContactAddedEvent {
  state?: string | null;
  externalUserid: string;
  accountUserid: string;
  addedAt: Date;
}

export interface Attribution {
  storeId: string;
  guideVisitId: string | null;
  via: 'pool' | 'store';
  recorded: boolean;
}

export interface PoolRefillReport {
  created: number;
  retired: number;
  failed: number;
  skipped?: string;
}

export interface GuideService {
  /**
   * Starts (or, for the same visitor within the lease, resumes) a guide visit. A hidden or
   * unknown store answers available=false.
   */
  startVisit(input: { storeId: string; visitorId: string; orderId?: string; clientType: string; requester?: string }): Promise<GuideVisitView>;
  getVisit(guideVisitId: string): Promise<GuideVisitView | null>;
  /**
   * Attributes a confirmed add (add_external_contact callback) to its guide visit through `state`
   * and records a `confirmed_add` event. Idempotent: WeCom retries carry the same CreateTime.
   * Returns null for states that are not ours.
   */
  attributeAdd(event: ContactAddedEvent): Promise<Attribution | null>;
  /**
   * Keeps `pool.perStore` contact ways per shown store (for the account that takes its new
   * customers) and deletes free ways that no longer match (rebound, failed over, hidden, closed).
   * At most `maxCreatesPerRun` WeCom calls of each kind per run; `only.storeIds` limits the run.
   */
  refillPool(signal?: AbortSignal, only?: { storeIds: readonly string[] }): Promise<PoolRefillReport>;
  /**
   * Fills the pool of these stores now instead of on the next job run, in the background after the
   * job's lock (waiting for a running job), so two runs never count the same deficit twice.
   */
  refillPoolSoon(storeIds: readonly string[]): void;
  /** Resolves when every refill started by refillPoolSoon has finished (tests, shutdown). */
  poolIdle(): Promise<void>;
}

const newVisitId = () => `gv_${randomBytes(12).toString('base64url')}`;
const newPoolState = () => `${VISIT_STATE_PREFIX}${randomBytes(9).toString('base64url')}`;

/**
 * Guide visits and attribution. A visit leases a per-store contact way whose state `wss:v:<key>`
 * names that one visit; when the pool is empty it shows the store-level live code
 * (`wss:s:<storeId>`) and attribution falls back to the store (and to the visit only when a single
 * visit of that store held the store code at the time).
 */
export function createGuideService(deps: {
  db: Knex;
  store: GuideStore;
  tracking: Pick<TrackingService, 'record'>;
  links: MiniProgramLinks;
  config: CustomerPathConfig;
  logger: Logger;
  /** Absent in a plugin without WeCom access: the pool then stays empty (store-level code only). */
  contactWays?: ContactWayApi;
  /** Filled once the acquisition feature exists; empty → no link mode. */
  guideLinks?: readonly GuideLinkSource[];
}): GuideService {
  const { db, store, tracking, links, config, logger } = deps;
  const lease = config.pool.leaseMinutes;
  const refilling = new Set<Promise<unknown>>();

  async function acquisitionUrl(visit: GuideVisitRow, accountUserid: string | null): Promise<string | null> {
    if (!visit.state || !accountUserid) return null;
    for (const source of deps.guideLinks ?? []) {
      const url = await source.guideLink(visit.storeId, accountUserid);
      if (url) return withCustomerChannel(url, visit.state);
    }
    return null;
  }

  async function view(visit: GuideVisitRow, storeName: string, accountName: string | null, accountUserid: string | null): Promise<GuideVisitView> {
    return {
      available: true,
      guideVisitId: visit.id,
      storeId: visit.storeId,
      storeName,
      accountName,
      qrCode: visit.qrCode,
      miniProgramUrl: await links.linkFor(visit.storeId, visit.id),
      added: visit.confirmedAt !== null && visit.confirmedAt !== undefined,
      acquisitionUrl: await acquisitionUrl(visit, accountUserid),
    };
  }

  /** The same answer for a hidden, unbound, closed or unknown store: nothing about it is public. */
  const unavailable = (storeId: string): GuideVisitView => ({
    available: false, guideVisitId: null, storeId, storeName: null, accountName: null, qrCode: null, miniProgramUrl: null, added: false, acquisitionUrl: null,
  });

  /**
   * A flood must not drain a store's pool: one requester holds at most a few ways per store, one
   * visitor id a few across stores, and a store starts only so many leases a minute. Past a limit the
   * visit shows the store code (attributed to the store, and to the visit when it is the only one).
   * The store's lease lock makes the count and the lease one step across processes.
   */
  async function mayLease(trx: Knex.Transaction, storeId: string, requester: string | null, visitorId: string): Promise<boolean> {
    await xactLock(trx, LOCKS.guideLease(storeId));
    const held = await store.activeLeases(trx, { storeId, requester, visitorId });
    const { leasesPerRequesterPerStore, leasesPerVisitor, leasesPerStorePerMinute } = config.pool;
    const ok = (requester === null || held.requesterAtStore < leasesPerRequesterPerStore) && held.visitor < leasesPerVisitor && held.storeLastMinute < leasesPerStorePerMinute;
    if (!ok) logger.info('guide pool lease limit reached; showing the store code', { storeId, ...held });
    return ok;
  }

  const service: GuideService = {
    async startVisit(input) {
      const info = await store.storeInfo(input.storeId);
      if (!info || !info.visible) return unavailable(input.storeId);
      // Already added from this device: say so instead of asking again.
      const confirmed = await store.confirmedVisit(input.storeId, input.visitorId, 30);
      if (confirmed) return view(confirmed, info.storeName, info.accountName, info.accountUserid);
      const existing = await store.reusableVisit(input.storeId, input.visitorId);
      if (existing) return view(existing, info.storeName, info.accountName, info.accountUserid);

      const id = newVisitId();
      const requester = input.requester ? createHash('sha256').update(input.requester).digest('base64url').slice(0, 16) : null;
      const visit = await db.transaction(async (trx) => {
        const leased = info.accountUserid && config.pool.perStore > 0 && (await mayLease(trx, input.storeId, requester, input.visitorId))
          ? await store.leaseWay(trx, input.storeId, info.accountUserid, id, lease)
          : null;
        const fallback = leased ? null : await store.storeLiveCode(input.storeId);
        const way = leased ?? fallback;
        return store.insertVisit(trx, {
          id,
          storeId: input.storeId,
          visitorId: input.visitorId,
          orderId: input.orderId ?? null,
          clientType: input.clientType,
          source: leased ? 'pool' : fallback ? 'store' : 'none',
          state: way?.state ?? null,
          configId: way?.configId ?? null,
          qrCode: way?.qrCode ?? null,
          requester,
        }, lease);
      });
      if (visit.source !== 'pool') logger.info('guide visit without a per-visit contact way', { storeId: input.storeId, source: visit.source });
      return view(visit, info.storeName, info.accountName, info.accountUserid);
    },

    async getVisit(guideVisitId) {
      const visit = await store.visit(guideVisitId);
      if (!visit) return null;
      const info = await store.storeInfo(visit.storeId);
      if (!info?.visible) return unavailable(visit.storeId);
      return view(visit, info.storeName, info.accountName, info.accountUserid);
    },

    async attributeAdd(event) {
      const state = event.state ?? '';
      let visit: GuideVisitRow | null = null;
      let storeId: string;
      let via: Attribution['via'];
      if (state.startsWith(VISIT_STATE_PREFIX)) {
        visit = await store.visitForState(state, event.addedAt);
        if (!visit) return null;
        storeId = visit.storeId;
        via = 'pool';
      } else if (state.startsWith(STORE_STATE_PREFIX)) {
        // Long store ids get a hashed state: the live-code table maps it back.
        storeId = (await store.storeForLiveCodeState(state)) ?? state.slice(STORE_STATE_PREFIX.length);
        const candidates = await store.storeCodeVisitsAt(storeId, event.addedAt);
        visit = candidates.length === 1 ? candidates[0] : null;
        via = 'store';
      } else {
        return null;
      }
      const seconds = Math.floor(event.addedAt.getTime() / 1000);
      const stored = await tracking.record([{
        clientEventId: `cb:${event.accountUserid}:${event.externalUserid}:${seconds}`.slice(0, 200),
        type: CONFIRMED_ADD,
        storeId,
        visitorId: visit?.visitorId ?? `wecom:${event.externalUserid}`,
        orderId: visit?.orderId ?? null,
        clientType: visit?.clientType ?? null,
        guideVisitId: visit?.id ?? null,
        outcome: null,
        occurredAt: event.addedAt,
        receivedAt: new Date(),
        props: { via, state, accountUserid: event.accountUserid, externalUserid: event.externalUserid },
      }]);
      if (visit) await store.confirmVisit(visit.id, event.addedAt);
      return { storeId, guideVisitId: visit?.id ?? null, via, recorded: stored.length > 0 };
    },

    async refillPool(signal, only) {
      const api = deps.contactWays;
      if (!api) return { created: 0, retired: 0, failed: 0, skipped: 'no WeCom client' };
      let created = 0;
      let retired = 0;
      let failed = 0;
      for (const configId of await store.staleWays(config.pool.maxCreatesPerRun, only?.storeIds)) {
        if (signal?.aborted) break;
        try {
          await api.delContactWay(configId);
        } catch (error) {
          // 41044: already gone in WeCom; drop our row too.
          if ((error as { errcode?: number }).errcode !== 41044) {
            failed += 1;
            logger.warn('pool contact way could not be deleted', { configId, error: (error as Error).message });
            continue;
          }
        }
        await store.removeWay(configId);
        retired += 1;
      }
      if (config.pool.perStore === 0) return { created, retired, failed };
      const deficits = await store.poolDeficits(config.pool.perStore, config.pool.maxCreatesPerRun, only?.storeIds);
      outer: for (const deficit of deficits) {
        for (let i = 0; i < deficit.missing; i += 1) {
          if (signal?.aborted || created + failed >= config.pool.maxCreatesPerRun) break outer;
          const state = newPoolState();
          try {
            const way = await api.addContactWay({
              type: 1, scene: 2, user: [deficit.accountUserid], state, remark: `wss guide ${deficit.storeId}`.slice(0, 30), skip_verify: true,
            });
            if (!way.qr_code) throw new Error('add_contact_way returned no qr_code');
            await store.addWay({ configId: way.config_id, storeId: deficit.storeId, state, qrCode: way.qr_code, accountUserid: deficit.accountUserid });
            created += 1;
          } catch (error) {
            failed += 1;
            logger.warn('pool contact way could not be created', { storeId: deficit.storeId, error: (error as Error).message });
            if ((error as { errcode?: number }).errcode === 41045) break outer; // corp quota reached
          }
        }
      }
      return { created, retired, failed };
    },

    refillPoolSoon(storeIds) {
      if (!storeIds.length || config.pool.perStore === 0 || !deps.contactWays) return;
      const run = db
        .transaction(async (trx) => {
          // The guide-pool-refill job's lock: one pool run at a time across processes.
          await xactLock(trx, LOCKS.job('guide-pool-refill'));
          return service.refillPool(undefined, { storeIds });
        })
        .then((result) => {
          if (result.failed) logger.warn('guide pool refill of shown stores had failures', { stores: storeIds.length, ...result });
        })
        .catch((error: unknown) => {
          logger.error('guide pool refill of shown stores failed', { stores: storeIds.length, error: error instanceof Error ? error.message : String(error) });
        });
      refilling.add(run);
      void run.finally(() => refilling.delete(run));
    },

    async poolIdle() {
      while (refilling.size > 0) await Promise.allSettled([...refilling]);
    },
  };
  return service;
}

