/**
 * The demo enterprise's rollout (npm start): which stores of each branch are bound to a WeCom
 * account and which entries HQ has shown, and since when. One plan feeds the bindings seed below and
 * the customer-path events of demo/metrics-seed.ts, so the dashboard's binding rate, funnel and
 * capacity figures tell the same story as the binding and capacity pages.
 */
import type { Knex } from 'knex';
import type { Actor } from '../plugin/host/adapter.js';
import type { WecomStoreService } from '../plugin/index.js';
import type { WecomSimulator } from '../simulator/server.js';
import { loadManifest } from '../plugin/manifest/manifest.js';
import { seedStores } from './crm/seed-data.js';

export interface DemoStorePlan {
  storeId: string;
  branchId: string;
  /** Has an active primary account (every open store except the branch's `unbound`). */
  bound: boolean;
  /** Days ago HQ showed the entry (customers could click it since), or null when it is not shown. */
  shownDaysAgo: number | null;
  /** Also has a backup account. */
  backup: boolean;
}

/**
 * Per branch (store numbers 1–11 are open, 12 is closed): stores not bound yet, stores bound but not
 * shown yet, and stores that went live recently. East is nearly done, West is half way.
 */
const ROLLOUT: Record<string, { unbound: number[]; notShown: number[]; recent: Record<number, number> }> = {
  'BR-EAST': { unbound: [9], notShown: [8], recent: { 7: 12, 10: 5 } },
  'BR-SOUTH': { unbound: [9, 10, 11], notShown: [8], recent: { 6: 9 } },
  'BR-NORTH': { unbound: [10, 11], notShown: [9], recent: { 5: 16 } },
  'BR-WEST': { unbound: [7, 8, 9, 10, 11], notShown: [6], recent: { 4: 20, 5: 8 } },
};

/** Shown since before the 30 seeded days. */
const LONG_AGO = 365;

export function demoStorePlan(): DemoStorePlan[] {
  return seedStores().map((store) => {
    const rollout = ROLLOUT[store.branchId];
    const n = Number(store.id.slice(2));
    const bound = store.isOpen && !rollout.unbound.includes(n);
    const shown = bound && !rollout.notShown.includes(n);
    return {
      storeId: store.id,
      branchId: store.branchId,
      bound,
      shownDaysAgo: shown ? (rollout.recent[n] ?? LONG_AGO) : null,
      backup: bound && n % 3 === 1,
    };
  });
}

/** The seed writes as this author, so the audit log and binding history say where the rows came from. */
function seedActor(): Actor {
  const hq = loadManifest().roles.find((r) => r.id === 'hq-wecom-ops');
  return { id: 'demo-seed', name: '示例数据（总部企微运营）', permissions: hq?.grants ?? [], branchScope: 'all' };
}

/**
 * Binds the plan's stores that never had a binding (a store the user unbound stays unbound), through
 * the plugin's own services (live codes, audit), and shows the planned entries nobody has shown or
 * hidden yet (including the stores demo/capacity-seed.ts bound).
 * Customer counts: the database is the truth across restarts, so counts already reconciled are pushed
 * into the fresh simulator first; accounts bound now take the simulator's counts (capacity sync).
 */
export async function seedDemoBindings(db: Knex, simulator: WecomSimulator, service: WecomStoreService): Promise<{ bound: number; shown: number }> {
  const counted = await db('wss_wecom_accounts').whereNotNull('counted_at').select('userid', 'customer_count');
  for (const account of counted) {
    if (simulator.state.members.has(account.userid)) simulator.context.actions.setCount(account.userid, account.customer_count);
  }

  const everBound = new Set<string>(await db('wss_store_accounts').distinct('store_id').pluck('store_id'));
  const actor = seedActor();
  const justBound: DemoStorePlan[] = [];
  for (const store of demoStorePlan()) {
    if (!store.bound || everBound.has(store.storeId)) continue;
    const userid = `kf_${store.storeId.toLowerCase()}`;
    await service.services.bindings.bind(actor, store.storeId, { userid, role: 'primary', reason: '门店企微上线', confirm: true });
    if (store.backup) await service.services.bindings.bind(actor, store.storeId, { userid: `${userid}_b`, role: 'backup', reason: '门店企微上线', confirm: true });
    justBound.push(store);
  }
  // Planned entries of the stores bound just now (their binding put the entry up for HQ's review)
  // and of stores nobody has shown or hidden yet (no row), if they have an active account now.
  const planned = demoStorePlan().filter((s) => s.shownDaysAgo !== null).map((s) => s.storeId);
  const reviewed = new Set(justBound.map((s) => s.storeId));
  const toShow: string[] = await db('wss_stores as s')
    .whereIn('s.id', planned)
    .where('s.is_open', true)
    .where((q) => q
      .whereIn('s.id', [...reviewed])
      .orWhereNotExists(db('wss_store_entries as e').whereRaw('e.store_id = s.id').select(db.raw('1'))))
    .whereExists(db('wss_store_accounts as sa').whereRaw('sa.store_id = s.id').whereNull('sa.ended_at').whereIn('sa.role', ['primary', 'backup']).select(db.raw('1')))
    .orderBy('s.id')
    .pluck('s.id');
  if (toShow.length) await service.services.entryVisibility.setVisibility(actor, { storeIds: toShow, visible: true, reason: '总部确认上线' });
  if (justBound.length) {
    // The accounts start with the customers WeCom already has (no drift at the first sync), and a
    // week of samples growing a few a day, so the capacity page can forecast.
    const userids = justBound.flatMap((s) => [`kf_${s.storeId.toLowerCase()}`, ...(s.backup ? [`kf_${s.storeId.toLowerCase()}_b`] : [])]);
    for (const [i, userid] of userids.entries()) {
      const count = simulator.state.relations.filter((r) => r.userid === userid).length;
      const [account] = await db('wss_wecom_accounts').where({ userid }).update({ customer_count: count, counted_at: db.fn.now() }).returning('id');
      const perDay = userid.endsWith('_b') ? 0 : 2 + (i % 9);
      await db('wss_capacity_samples')
        .insert([7, 3, 1].map((days) => ({ account_id: account.id, bucket: db.raw(`date_trunc('hour', now()) - make_interval(days => ?)`, [days]), customer_count: Math.max(0, count - perDay * days) })))
        .onConflict(['account_id', 'bucket'])
        .ignore();
    }
    await service.services.capacity.sync();
  }
  return { bound: justBound.length, shown: toShow.length };
}
