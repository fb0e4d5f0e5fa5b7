import type { Knex } from 'knex';

/**
 * A generated metrics world (seeded, so every run is the same): three branches, open / closed /
 * hidden / unbound stores, bindings of every kind, visitors who come back on other days and visit
 * stores of other branches, confirmed adds with deleted and re-added contacts, events for unknown
 * stores and non-funnel events. `expected*` recompute every number from the raw rows, in TypeScript.
 */
export interface FixtureEvent {
  type: string;
  storeId: string;
  visitorId: string;
  guideVisitId: string | null;
  occurredAt: Date;
  day: string;
  props: Record<string, unknown> | null;
  outcome: string | null;
}

export interface FixtureStore {
  id: string;
  branchId: string;
  name: string;
  isOpen: boolean;
  visible: boolean | null;
  /** Bindings: role and whether ended. */
  bindings: { userid: string; role: 'primary' | 'backup' | 'retired'; ended: boolean }[];
}

export interface Fixture {
  branches: { id: string; name: string }[];
  stores: FixtureStore[];
  accounts: { userid: string; name: string; customerCount: number; capacityLimit: number }[];
  events: FixtureEvent[];
  firstDay: string;
  lastDay: string;
}

export const STAGE_TYPES = ['order_result_view', 'entry_click', 'guide_view', 'add_click', 'confirmed_add'] as const;
export const STAGE_KEYS = ['orderResultVisitors', 'entryClickers', 'guideVisitors', 'addClickers', 'confirmedAdds'] as const;
type StageKey = (typeof STAGE_KEYS)[number] | 'guideAdds' | 'directAdds';

/** Asia/Shanghai calendar day (UTC+8, no daylight saving). */
export const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generateFixture(seed = 7, opts: { days?: number; visitors?: number; firstDay?: string } = {}): Fixture {
  const random = rng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const days = opts.days ?? 20;
  const firstDay = opts.firstDay ?? '2026-03-01';
  const branches = [
    { id: 'B1', name: '华东分公司' },
    { id: 'B2', name: '华南分公司' },
    { id: 'B3', name: '华北分公司' },
  ];
  const stores: FixtureStore[] = [];
  const accounts: Fixture['accounts'] = [];
  branches.forEach((b, bi) => {
    for (let i = 1; i <= 6; i++) {
      const id = `${b.id}-S${i}`;
      const kind = (i + bi) % 6;
      const store: FixtureStore = {
        id,
        branchId: b.id,
        name: `${b.name.slice(0, 2)}${i}号店`,
        isOpen: kind !== 5,
        visible: kind === 3 ? false : kind === 4 ? null : true,
        bindings: [],
      };
      const acct = (suffix: string, count: number, limit = 5000) => {
        const userid = `kf_${id.toLowerCase()}_${suffix}`;
        accounts.push({ userid, name: `客服${id}${suffix}`, customerCount: count, capacityLimit: limit });
        return userid;
      };
      // kind 0: primary; 1: backup only; 2: retired only (not bound); 3: ended primary (not bound);
      // 4: no binding at all; 5: closed store with a primary.
      if (kind === 0) store.bindings.push({ userid: acct('p', 4900), role: 'primary', ended: false });
      if (kind === 1) store.bindings.push({ userid: acct('b', 3900, 4000), role: 'backup', ended: false });
      if (kind === 2) store.bindings.push({ userid: acct('r', 5000), role: 'retired', ended: false });
      if (kind === 3) store.bindings.push({ userid: acct('p', 100), role: 'primary', ended: true });
      if (kind === 5) store.bindings.push({ userid: acct('p', 4500), role: 'primary', ended: false });
      stores.push(store);
    }
  });

  const events: FixtureEvent[] = [];
  const start = Date.parse(`${firstDay}T00:00:00+08:00`);
  const visitorCount = opts.visitors ?? 120;
  let guideSeq = 0;
  let addSeq = 0;
  for (let v = 0; v < visitorCount; v++) {
    const visitorId = `v${v}`;
    const home = pick(stores);
    const visits = 1 + Math.floor(random() * 4);
    const customer = `wm_${v}`;
    for (let k = 0; k < visits; k++) {
      // A quarter of the visits go to a random store, often of another branch.
      const store = random() < 0.25 ? pick(stores) : home;
      const dayIndex = Math.floor(random() * days);
      // Times spread over the whole day, so UTC and Shanghai days differ for early-morning events.
      let at = start + dayIndex * 86_400_000 + Math.floor(random() * 86_000_000);
      const push = (type: string, extra: Partial<FixtureEvent> = {}) => {
        at += 1000 + Math.floor(random() * 60_000);
        const occurredAt = new Date(at);
        events.push({ type, storeId: store.id, visitorId, guideVisitId: null, occurredAt, day: shanghaiDay(occurredAt), props: null, outcome: null, ...extra });
      };
      push('order_result_view');
      if (random() < 0.3) push('order_result_view'); // the same visitor twice on one day
      if (random() < 0.55) {
        push('entry_click');
        if (random() < 0.85) {
          const guideVisitId = `gv_${++guideSeq}`;
          push('guide_view', { guideVisitId });
          if (random() < 0.6) {
            push('add_click', { guideVisitId });
            push('jump_result', { guideVisitId, outcome: random() < 0.8 ? 'ok' : 'failed' });
            if (random() < 0.65) {
              addSeq++;
              push('confirmed_add', { guideVisitId, visitorId, props: { via: 'pool', externalUserid: customer, accountUserid: 'kf' } });
              // Deleted then re-added later: a second confirmed add of the same customer.
              if (addSeq % 5 === 0) push('confirmed_add', { guideVisitId, props: { via: 'pool', externalUserid: customer, accountUserid: 'kf' } });
            }
          }
        }
      }
    }
  }
  // An entry click without a page view (a client that lost an event) and events of an unknown store.
  const lone = new Date(start + 2 * 86_400_000 + 3_600_000);
  events.push({ type: 'entry_click', storeId: 'B1-S1', visitorId: 'lone', guideVisitId: null, occurredAt: lone, day: shanghaiDay(lone), props: null, outcome: null });
  events.push({ type: 'order_result_view', storeId: 'GONE-1', visitorId: 'v1', guideVisitId: null, occurredAt: lone, day: shanghaiDay(lone), props: null, outcome: null });
  // A confirmed add attributed to the store only (no visit): keyed by the customer.
  events.push({
    type: 'confirmed_add', storeId: 'B2-S2', visitorId: 'wecom:wm_storeonly', guideVisitId: null, occurredAt: lone, day: shanghaiDay(lone),
    props: { via: 'store', externalUserid: 'wm_storeonly' }, outcome: null,
  });
  const lastDayDate = new Date(start + (days - 1) * 86_400_000);
  return { branches, stores, accounts, events, firstDay, lastDay: shanghaiDay(lastDayDate) };
}

export async function insertFixture(db: Knex, f: Fixture): Promise<void> {
  await db('wss_branches').insert(f.branches.map((b) => ({ id: b.id, name: b.name })));
  await db('wss_stores').insert(
    f.stores.map((s) => ({ id: s.id, branch_id: s.branchId, name: s.name, is_open: s.isOpen, closed_at: s.isOpen ? null : new Date() })),
  );
  const entries = f.stores.filter((s) => s.visible !== null);
  await db('wss_store_entries').insert(entries.map((s) => ({ store_id: s.id, visible: s.visible, changed_by: 'fixture' })));
  const accountIds = new Map<string, string>();
  for (const a of f.accounts) {
    const [row] = await db('wss_wecom_accounts')
      .insert({ userid: a.userid, name: a.name, customer_count: a.customerCount, capacity_limit: a.capacityLimit })
      .returning('id');
    accountIds.set(a.userid, row.id);
  }
  for (const s of f.stores) {
    for (const b of s.bindings) {
      await db('wss_store_accounts').insert({
        store_id: s.id, account_id: accountIds.get(b.userid), role: b.role, bound_by: 'fixture', ended_at: b.ended ? new Date() : null,
      });
    }
  }
  // Contacts behind the confirmed adds: every fifth one deleted (it still counts as an add).
  const customers = [...new Set(f.events.filter((e) => e.type === 'confirmed_add').map((e) => e.props!.externalUserid as string))];
  if (customers.length) {
    await db('wss_wecom_contacts').insert(
      customers.map((c, i) => ({
        external_userid: c, account_userid: 'kf', state: `wss:v:${i}`, first_added_at: new Date(), last_added_at: new Date(),
        deleted_at: i % 5 === 0 ? new Date() : null, deleted_by: i % 5 === 0 ? 'customer' : null,
      })),
    );
  }
  for (let i = 0; i < f.events.length; i += 1000) {
    await db('wss_tracking_events').insert(
      f.events.slice(i, i + 1000).map((e, j) => ({
        client_event_id: `fx-${i + j}`, type: e.type, store_id: e.storeId, visitor_id: e.visitorId, guide_visit_id: e.guideVisitId,
        outcome: e.outcome, occurred_at: e.occurredAt, day: e.day, props: e.props ? JSON.stringify(e.props) : null,
      })),
    );
  }
}

/** Who counts for an event: the visitor, or the customer for a confirmed add. */
const keyOf = (e: FixtureEvent) => (e.type === 'confirmed_add' ? ((e.props?.externalUserid as string) ?? e.visitorId) : e.visitorId);

export type ExpectedFunnel = Record<StageKey, number>;

/**
 * Distinct people per stage in [from, to] among events of stores matching `storeFilter`, from the
 * raw events: guide adds are guide viewers (on the guide view's day and store) whose guide visit has
 * any confirmed add; direct adds are customers of confirmed adds without a guide visit. `branchOn`
 * gives the branch of a store on a day when stores moved (the filter then sees that branch).
 */
export function expectedFunnel(
  f: Fixture, from: string, to: string, storeFilter: (s: FixtureStore) => boolean,
  branchOn?: (storeId: string, day: string) => string,
): ExpectedFunnel {
  const stores = new Map(f.stores.map((s) => [s.id, s]));
  const sets = STAGE_TYPES.map(() => new Set<string>());
  const guideAdds = new Set<string>();
  const directAdds = new Set<string>();
  const addedVisits = new Set(f.events.filter((e) => e.type === 'confirmed_add' && e.guideVisitId).map((e) => e.guideVisitId));
  for (const e of f.events) {
    const store = stores.get(e.storeId);
    if (!store || e.day < from || e.day > to) continue;
    const asOfDay = branchOn ? { ...store, branchId: branchOn(store.id, e.day) } : store;
    if (!storeFilter(asOfDay)) continue;
    const stage = STAGE_TYPES.indexOf(e.type as (typeof STAGE_TYPES)[number]);
    if (stage >= 0) sets[stage].add(keyOf(e));
    if (e.type === 'guide_view' && e.guideVisitId && addedVisits.has(e.guideVisitId)) guideAdds.add(e.visitorId);
    if (e.type === 'confirmed_add' && !e.guideVisitId) directAdds.add(keyOf(e));
  }
  return {
    ...(Object.fromEntries(STAGE_KEYS.map((k, i) => [k, sets[i].size])) as Record<(typeof STAGE_KEYS)[number], number>),
    guideAdds: guideAdds.size,
    directAdds: directAdds.size,
  };
}

export const inBranches = (ids: string[] | 'all') => (s: FixtureStore) => ids === 'all' || ids.includes(s.branchId);

export function expectedBinding(f: Fixture, branchId: string) {
  const open = f.stores.filter((s) => s.branchId === branchId && s.isOpen);
  const bound = open.filter((s) => s.bindings.some((b) => !b.ended && (b.role === 'primary' || b.role === 'backup')));
  return { openStores: open.length, boundStores: bound.length, shownStores: open.filter((s) => s.visible === true).length };
}

export function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) out.push(d);
  return out;
}
