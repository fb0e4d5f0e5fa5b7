import type { Knex } from 'knex';
import type { Logger } from '../core/logger.js';
import { liveCodeState } from '../core/contact-states.js';
import type { LiveCodeView } from '../contract/index.js';
import { mapWithConcurrency } from '../core/concurrency.js';
import { wecomUnavailable } from '../wecom/index.js';
import type { BindingsWecomApi } from './wecom-api.js';

export type LiveCode = LiveCodeView;

/**
 * WeCom side effects of one database transaction: `undo` reverts what WeCom already did if the
 * transaction rolls back; `afterCommit` runs deletions only once the change is durable.
 */
export interface WecomEffects {
  undo: (() => Promise<void>)[];
  afterCommit: (() => Promise<void>)[];
}

export const newEffects = (): WecomEffects => ({ undo: [], afterCommit: [] });

interface LiveCodeInsert {
  store_id: string;
  config_id: string;
  qr_code: string | null;
  state: string;
  account_userids: string[];
}

/** Where route() writes the live-code rows: at once, or collected and written in a few statements. */
interface LiveCodeSink {
  insert(row: LiveCodeInsert): Promise<void>;
  update(storeId: string, userids: string[]): Promise<void>;
  remove(storeId: string): Promise<void>;
}

const directSink = (trx: Knex): LiveCodeSink => ({
  insert: async (row) => void (await trx('wss_store_live_codes').insert(row)),
  update: async (storeId, userids) =>
    void (await trx('wss_store_live_codes').where('store_id', storeId).update({ account_userids: userids, updated_at: trx.fn.now() })),
  remove: async (storeId) => void (await trx('wss_store_live_codes').where('store_id', storeId).delete()),
});

/** Collects writes while WeCom calls run concurrently; `flush` writes them on the one transaction. */
function batchSink() {
  const inserts: LiveCodeInsert[] = [];
  const updates: { storeId: string; userid: string }[] = [];
  const removes: string[] = [];
  return {
    insert: async (row: LiveCodeInsert) => void inserts.push(row),
    update: async (storeId: string, userids: string[]) => void updates.push({ storeId, userid: userids[0] }),
    remove: async (storeId: string) => void removes.push(storeId),
    async flush(trx: Knex) {
      if (removes.length) await trx('wss_store_live_codes').whereIn('store_id', removes).delete();
      for (let i = 0; i < inserts.length; i += 1000) await trx('wss_store_live_codes').insert(inserts.slice(i, i + 1000));
      if (updates.length) {
        await trx.raw(
          `UPDATE wss_store_live_codes l SET account_userids = ARRAY[u.userid], updated_at = now()
           FROM unnest(?::text[], ?::text[]) AS u(store_id, userid) WHERE l.store_id = u.store_id`,
          [updates.map((u) => u.storeId), updates.map((u) => u.userid)],
        );
      }
    },
  };
}

const fromRow = (r: Record<string, unknown>): LiveCode => ({
  storeId: r.store_id as string,
  configId: r.config_id as string,
  qrCode: (r.qr_code as string | null) ?? null,
  state: r.state as string,
  accountUserids: r.account_userids as string[],
  updatedAt: new Date(r.updated_at as Date).toISOString(),
});

/**
 * Keeps each store's live code (add_contact_way type=1 single member, scene=2 QR) on the account
 * that takes new customers: created with the first active account, updated when the routing account
 * changes, deleted when none is left.
 */
export function createLiveCodes(deps: { api: BindingsWecomApi; logger: Logger; concurrency?: number }) {
  const { api, logger } = deps;

  async function get(knex: Knex, storeId: string): Promise<LiveCode | null> {
    const row = await knex('wss_store_live_codes').where('store_id', storeId).first();
    return row ? fromRow(row) : null;
  }

  /** Points the store's live code at `userid` (null: delete it). Records undo/after-commit steps. */
  async function route(
    trx: Knex,
    storeId: string,
    storeName: string,
    userid: string | null,
    current: LiveCode | null,
    effects: WecomEffects,
    sink: LiveCodeSink = directSink(trx),
  ) {
    if (!userid) {
      if (!current) return 'unchanged' as const;
      await sink.remove(storeId);
      effects.afterCommit.push(() => api.delContactWay(current.configId));
      return 'deleted' as const;
    }
    if (!current) {
      const state = liveCodeState(storeId);
      const created = await api
        .addContactWay({ type: 1, scene: 2, user: [userid], state, skip_verify: true, remark: [...`门店${storeName}`].slice(0, 30).join('') })
        .catch((error: unknown) => {
          throw wecomUnavailable(error);
        });
      effects.undo.push(() => api.delContactWay(created.config_id));
      await sink.insert({ store_id: storeId, config_id: created.config_id, qr_code: created.qr_code ?? null, state, account_userids: [userid] });
      return 'created' as const;
    }
    if (current.accountUserids.length === 1 && current.accountUserids[0] === userid) return 'unchanged' as const;
    await api.updateContactWay({ config_id: current.configId, user: [userid] }).catch((error: unknown) => {
      throw wecomUnavailable(error);
    });
    effects.undo.push(() => api.updateContactWay({ config_id: current.configId, user: current.accountUserids }));
    await sink.update(storeId, [userid]);
    return 'updated' as const;
  }

  return {
    get,
    route,

    /**
     * Re-derives the live code of each store from its active bindings after a binding change.
     * The routed account stays when it is still an active primary/backup and the primary did not
     * change (it may be the backup the capacity failover chose); otherwise primary, else oldest backup.
     */
    async syncStores(
      trx: Knex,
      storeIds: string[],
      primaryChanged: ReadonlySet<string>,
      effects: WecomEffects,
      onProgress?: (done: number, total: number) => void,
    ): Promise<void> {
      if (!storeIds.length) return;
      const bindings = await trx('wss_store_accounts as sa')
        .join('wss_wecom_accounts as a', 'a.id', 'sa.account_id')
        .whereIn('sa.store_id', storeIds)
        .whereNull('sa.ended_at')
        .whereIn('sa.role', ['primary', 'backup'])
        .select('sa.store_id', 'a.userid', 'sa.role')
        .orderBy([{ column: 'sa.bound_at' }, { column: 'sa.id' }]);
      const codes = await trx('wss_store_live_codes').whereIn('store_id', storeIds).select('*');
      const stores = await trx('wss_stores').whereIn('id', storeIds).select('id', 'name');
      const sink = batchSink();
      const names = new Map(stores.map((s) => [s.id as string, s.name as string]));
      const current = new Map(codes.map((r) => [r.store_id as string, fromRow(r)]));
      const active = new Map<string, { userid: string; role: string }[]>();
      let done = 0;
      for (const b of bindings) {
        const list = active.get(b.store_id) ?? [];
        list.push({ userid: b.userid, role: b.role });
        active.set(b.store_id, list);
      }
      await mapWithConcurrency(storeIds, deps.concurrency ?? 8, async (storeId) => {
        const accounts = active.get(storeId) ?? [];
        const code = current.get(storeId) ?? null;
        const routed = code?.accountUserids[0];
        const keep = routed && !primaryChanged.has(storeId) && accounts.some((a) => a.userid === routed);
        const target = keep ? routed : (accounts.find((a) => a.role === 'primary') ?? accounts[0])?.userid ?? null;
        await route(trx, storeId, names.get(storeId) ?? storeId, target, code, effects, sink);
        onProgress?.(++done, storeIds.length);
      });
      await sink.flush(trx);
    },

    /** Rolls back what WeCom already did for a transaction that failed; best effort, logged. */
    async undo(effects: WecomEffects): Promise<void> {
      for (const step of effects.undo.reverse()) {
        await step().catch((error: unknown) => logger.warn('live code undo failed', { error: (error as Error).message }));
      }
    },

    async afterCommit(effects: WecomEffects): Promise<void> {
      for (const step of effects.afterCommit) {
        await step().catch((error: unknown) => logger.warn('live code cleanup failed', { error: (error as Error).message }));
      }
    },
  };
}

export type LiveCodes = ReturnType<typeof createLiveCodes>;
