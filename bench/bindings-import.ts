/**
 * Importing 5,000 binding rows (CSV) against the WeCom simulator: dry run, then commit.
 * Baseline, same run: the WeCom calls alone (5,000 user/get + 5,000 add_contact_way through the
 * client at the same concurrency), the floor any import must pay.
 */
import { benchDatabase } from './bench-support.js';
import { FixtureDirectory, TEST_WECOM_CONFIG, actorWithRole, startTestPlugin } from '../test/support/plugin-app.js';
import { createWecomSimulator } from '../simulator/server.js';
import { createWecomClient } from '../plugin/wecom/client.js';
import { createMemoryTokenStore } from '../plugin/wecom/token-store.js';

const ROWS = 5000;
const CONCURRENCY = 8;
const CORP = 'ww_bench';
const SECRET = 'bench-secret-0123456789';

const db = await benchDatabase();
const directory = new FixtureDirectory();
directory.branches = [{ id: 'B1', name: '华东' }];
directory.stores = Array.from({ length: ROWS }, (_, i) => ({ id: `S${String(i).padStart(5, '0')}`, name: `门店${i}`, branchId: 'B1', isOpen: true }));
const members = directory.stores.flatMap((s) => [{ userid: `kf_${s.id}` }, { userid: `raw_${s.id}` }]);
const sim = await createWecomSimulator({ corpId: CORP, corpSecret: SECRET, members });
const plugin = await startTestPlugin({ db: db.knex, directory, config: { wecom: { ...TEST_WECOM_CONFIG, apiBaseUrl: sim.url, corpId: CORP, corpSecret: SECRET } } });
await plugin.service.services.directory.sync();

// Baseline: the WeCom round trips alone.
const client = createWecomClient({ baseUrl: sim.url, corpId: CORP, corpSecret: SECRET, tokenStore: createMemoryTokenStore() });
async function pool(n: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await fn(next++);
  }));
}
let t = performance.now();
await pool(ROWS, (i) => client.getUser(`raw_${directory.stores[i].id}`));
const rawLookups = performance.now() - t;
t = performance.now();
const ways: string[] = [];
await pool(ROWS, async (i) => ways.push((await client.addContactWay({ type: 1, scene: 2, user: [`raw_${directory.stores[i].id}`], state: `raw:${i}` })).config_id));
const rawAdds = performance.now() - t;
for (const id of ways) sim.state.contactWays.delete(id);

const hq = actorWithRole('hq-wecom-ops', 'all', 'hq');
await plugin.request('/me', { actor: hq });
const csv = '门店编号,企微账号,角色\n' + directory.stores.map((s) => `${s.id},kf_${s.id},主账号`).join('\n');
const base = `${plugin.url}${plugin.service.config.routesPrefix}`;
const waitDone = async (id: string) => {
  for (;;) {
    const job = (await plugin.request(`/imports/${id}`, { actor: hq })).body;
    if (job.status !== 'validating' && job.status !== 'committing') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
};
t = performance.now();
const created = await (await fetch(`${base}/imports?fileName=bench.csv`, { method: 'POST', headers: { 'X-Test-Actor': hq.id, 'Content-Type': 'text/csv' }, body: csv })).json();
const validated = await waitDone(created.id);
const dryRun = performance.now() - t;
t = performance.now();
await plugin.request(`/imports/${created.id}/commit`, { actor: hq, method: 'POST' });
const committed = await waitDone(created.id);
const commit = performance.now() - t;

// Re-import: every WeCom status is cached and every row is unchanged.
t = performance.now();
const again = await (await fetch(`${base}/imports?fileName=bench.csv`, { method: 'POST', headers: { 'X-Test-Actor': hq.id, 'Content-Type': 'text/csv' }, body: csv })).json();
const revalidated = await waitDone(again.id);
const reDryRun = performance.now() - t;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`${ROWS} rows, WeCom concurrency ${CONCURRENCY}; dry run ${validated.summary.ok} ok / ${validated.summary.errors} errors; commit ${committed.status}`);
console.log(`baseline: ${ROWS} user/get ${s(rawLookups)}; ${ROWS} add_contact_way ${s(rawAdds)}`);
console.log(`dry run (parse + checks + user/get):        ${s(dryRun)}  ×${(dryRun / rawLookups).toFixed(2)} of the user/get baseline`);
console.log(`commit (one transaction + live codes):      ${s(commit)}  ×${(commit / rawAdds).toFixed(2)} of the add_contact_way baseline`);
console.log(`re-import dry run (cached, all unchanged):  ${s(reDryRun)}  ×${(reDryRun / rawLookups).toFixed(2)} of the user/get baseline; ${revalidated.summary.byAction.unchanged} unchanged`);
await plugin.close();
await sim.close();
await db.stop();
