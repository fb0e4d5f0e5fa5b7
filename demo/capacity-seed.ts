/** Demo data for capacity and warnings: three robots in the simulator, a few bound stores near full. */
import type { Knex } from 'knex';
import type { PluginConfigInput } from '../plugin/config.js';
import type { WecomStoreService } from '../plugin/index.js';
import type { WecomSimulator } from '../simulator/server.js';

const ROBOTS = [
  { id: 'hq-ops', name: '总部企微运营群', channel: 'wecom' as const, key: 'demo-hq-wecom-robot-key' },
  { id: 'east-ding', name: '华东分公司钉钉群', channel: 'dingtalk' as const, key: 'demo-east-ding-token', secret: 'SECdemoEastDingSecret' },
  { id: 'south-lark', name: '华南分公司飞书群', channel: 'feishu' as const, key: 'demo-south-feishu-token', secret: 'demoSouthFeishuSecret' },
];

/** The `alerts` and `capacity` config of the demo: every robot is the simulator's. */
export function demoCapacityConfig(simulatorUrl: string): Pick<PluginConfigInput, 'alerts' | 'capacity'> {
  return {
    capacity: { thresholds: [70, 85, 95], hardLevel: 95 },
    alerts: {
      robots: ROBOTS.map((r) => ({ ...r, mentions: r.channel === 'wecom' ? { userids: ['@all'] } : {} })),
      hqRobots: ['hq-ops'],
      branchRobots: { 'BR-EAST': ['east-ding'], 'BR-SOUTH': ['south-lark'] },
      robotBaseUrls: { wecom: simulatorUrl, dingtalk: simulatorUrl, feishu: simulatorUrl },
    },
  };
}

/** (store, fill of the primary in %, daily adds over the last week) */
const DEMO_FILL: [string, number, number][] = [
  ['S1001', 96, 40], ['S1002', 88, 25], ['S1003', 72, 30], ['S1004', 40, 5],
  ['S2001', 91, 18], ['S2002', 55, 0], ['S3001', 20, 10], ['S4001', 78, 12],
];

/** Registers the robots in the simulator; binds a few stores that have no binding yet (idempotent). */
export async function seedDemoCapacity(db: Knex, simulator: WecomSimulator, service: WecomStoreService, opts: { bindStores: boolean }): Promise<void> {
  for (const robot of ROBOTS) {
    await fetch(`${simulator.url}/sim/robots`, { method: 'POST', body: JSON.stringify({ kind: robot.channel, key: robot.key, secret: 'secret' in robot ? robot.secret : undefined }) });
  }
  if (!opts.bindStores) return;
  const touched: string[] = [];
  for (const [storeId, fill, perDay] of DEMO_FILL) {
    const store = await db('wss_stores').where('id', storeId).first('id');
    const bound = await db('wss_store_accounts').where('store_id', storeId).first('id');
    if (!store || bound) continue;
    const limit = 3000;
    const count = Math.round((limit * fill) / 100);
    // Backups hold 12–42 % (not one shared figure), so the capacity list does not look generated.
    const backupCount = Math.round(limit * (0.12 + ((fill + perDay) % 7) * 0.05));
    for (const [suffix, role, n] of [['', 'primary', count], ['_b', 'backup', backupCount]] as const) {
      const userid = `kf_${storeId.toLowerCase()}${suffix}`;
      simulator.context.actions.setCount(userid, n);
      const [account] = await db('wss_wecom_accounts')
        .insert({ userid, name: simulator.state.members.get(userid)?.name ?? userid, customer_count: n, capacity_limit: limit, counted_at: db.fn.now() })
        .onConflict('userid')
        .merge(['customer_count', 'capacity_limit'])
        .returning('id');
      await db('wss_store_accounts').insert({ store_id: storeId, account_id: account.id, role, bound_by: 'demo-seed' });
      await db('wss_capacity_samples').insert(
        [7, 3, 1].map((days) => ({ account_id: account.id, bucket: db.raw(`date_trunc('hour', now()) - make_interval(days => ?)`, [days]), customer_count: Math.max(0, n - (role === 'primary' ? perDay * days : 0)) })),
      ).onConflict(['account_id', 'bucket']).ignore();
      touched.push(String(account.id));
    }
  }
  if (touched.length) await service.services.capacity.evaluate(touched);
}
