import type { Knex } from 'knex';
import { parseConfig, type PluginConfigInput } from '../../plugin/config.js';
import { silentLogger } from '../../plugin/core/logger.js';
import { createCapacityFeature, type CapacityRouting, type CustomerLister } from '../../plugin/capacity/index.js';
import { createAlertsFeature, type RobotSenderLike } from '../../plugin/alerts/index.js';
import { createContactEventLedger } from '../../plugin/wecom-callbacks/index.js';
import { TEST_WECOM_CONFIG } from '../support/plugin-app.js';

export function testConfig(overrides: Partial<PluginConfigInput> = {}) {
  return parseConfig({ wecom: TEST_WECOM_CONFIG, ...overrides });
}

/** The capacity + alerts services on a test database, built through their front doors as plugin/index.ts does. */
export function buildFeature(db: Knex, overrides: Partial<PluginConfigInput>, extra: { wecom?: CustomerLister; routing?: CapacityRouting; sender?: RobotSenderLike; workerId?: string } = {}) {
  const config = testConfig(overrides);
  const alerts = createAlertsFeature({ db, config: config.alerts, timezone: config.timezone, logger: silentLogger, sender: extra.sender, workerId: extra.workerId }).service;
  const capacity = createCapacityFeature({
    db, config: config.capacity, logger: silentLogger, alerts, contactEvents: createContactEventLedger(), wecom: extra.wecom, routing: extra.routing, syncConcurrency: config.wecom.concurrency,
  }).service;
  return { capacity, alerts };
}

/** Branches B1/B2 and one store per entry; returns account ids by userid. */
export async function seedStores(
  db: Knex,
  stores: { id: string; branchId: string; accounts: { userid: string; role: 'primary' | 'backup' | 'retired'; count?: number; limit?: number; ended?: boolean }[] }[],
): Promise<Record<string, string>> {
  await db('wss_branches').insert([{ id: 'B1', name: '华东分公司' }, { id: 'B2', name: '华南分公司' }]).onConflict('id').ignore();
  const ids: Record<string, string> = {};
  for (const store of stores) {
    await db('wss_stores').insert({ id: store.id, branch_id: store.branchId, name: `${store.id}门店` }).onConflict('id').ignore();
    for (const account of store.accounts) {
      const [row] = await db('wss_wecom_accounts')
        .insert({ userid: account.userid, name: `名${account.userid}`, customer_count: account.count ?? 0, capacity_limit: account.limit ?? 100 })
        .onConflict('userid')
        .merge()
        .returning('id');
      ids[account.userid] = String(row.id);
      await db('wss_store_accounts').insert({
        store_id: store.id,
        account_id: row.id,
        role: account.role,
        bound_by: 'test',
        ended_at: account.ended ? db.fn.now() : null,
      });
    }
  }
  return ids;
}

export async function setCount(db: Knex, accountId: string, count: number) {
  await db('wss_wecom_accounts').where('id', accountId).update({ customer_count: count });
}

/** A sender that records what it was asked to send and answers as told. */
export function recordingSender(answer: () => Awaited<ReturnType<RobotSenderLike['send']>> = () => ({ ok: true })) {
  const sent: { target: Parameters<RobotSenderLike['send']>[0]; message: Parameters<RobotSenderLike['send']>[1] }[] = [];
  const sender: RobotSenderLike = {
    async send(target, message) {
      sent.push({ target, message });
      return answer();
    },
  };
  return { sender, sent };
}

export const ROBOTS: PluginConfigInput['alerts'] = {
  robots: [
    { id: 'hq', channel: 'wecom', key: 'hq-robot-key-123456' },
    { id: 'b1', channel: 'wecom', key: 'b1-robot-key-123456' },
  ],
  hqRobots: ['hq'],
  branchRobots: { B1: ['b1'] },
};
