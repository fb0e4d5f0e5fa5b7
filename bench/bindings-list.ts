/**
 * Listing a filtered page of the binding admin from 10,000 stores (GET /stores through the plugin).
 * Baseline, same run: the plain `ORDER BY id LIMIT 20` page of wss_stores with no joins or scope.
 */
import { benchDatabase, percentile, request } from './bench-support.js';
import { FixtureDirectory, TEST_WECOM_CONFIG, actorWithRole, startTestPlugin } from '../test/support/plugin-app.js';

const STORES = 10_000;
const BRANCHES = 10;
const RUNS = 200;

const db = await benchDatabase();
const directory = new FixtureDirectory();
directory.branches = Array.from({ length: BRANCHES }, (_, b) => ({ id: `B${b}`, name: `分公司${b}` }));
directory.stores = Array.from({ length: STORES }, (_, i) => ({ id: `S${String(i).padStart(5, '0')}`, name: `门店${i}号`, branchId: `B${i % BRANCHES}`, isOpen: i % 50 !== 0 }));
const plugin = await startTestPlugin({ db: db.knex, directory, config: { wecom: TEST_WECOM_CONFIG } });
await plugin.service.services.directory.sync();

// Half the stores bound (primary), a third of those shown: realistic filter selectivity.
const accounts = await db.knex('wss_wecom_accounts')
  .insert(Array.from({ length: STORES / 2 }, (_, i) => ({ userid: `kf_${i}`, name: `客服${i}`, wecom_status: 1 })))
  .returning(['id', 'userid']);
for (let i = 0; i < accounts.length; i += 1000) {
  await db.knex('wss_store_accounts').insert(accounts.slice(i, i + 1000).map((a: { id: string }, j: number) => ({ store_id: directory.stores[(i + j) * 2].id, account_id: a.id, role: 'primary', bound_by: 'bench' })));
  await db.knex('wss_store_entries').insert(accounts.slice(i, i + 1000).map((_: unknown, j: number) => ({ store_id: directory.stores[(i + j) * 2].id, visible: (i + j) % 3 === 0, changed_by: 'bench' })));
}
await db.knex.raw('ANALYZE');

const hq = actorWithRole('hq-wecom-ops', 'all', 'hq');
const admin = actorWithRole('branch-admin', ['B3'], 'admin-b3');
await plugin.request('/me', { actor: hq });
await plugin.request('/me', { actor: admin });

async function timeIt(run: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) await run();
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const base = `${plugin.url}${plugin.service.config.routesPrefix}`;
const get = (path: string, actor: { id: string }) => () => request(`${base}${path}`, { headers: { 'X-Test-Actor': actor.id } });
const baseline = await timeIt(() => db.knex('wss_stores').orderBy('id').limit(20));
const cases: [string, () => Promise<unknown>][] = [
  ['HQ, page 1, no filter', get('/stores?pageSize=20', hq)],
  ['HQ, bound=false & visible=false', get('/stores?bound=false&visible=false&pageSize=20', hq)],
  ['HQ, branch B7, bound=true, page 10', get('/stores?branchId=B7&bound=true&page=10&pageSize=20', hq)],
  ['HQ, search "门店12"', get(`/stores?q=${encodeURIComponent('门店12')}&pageSize=20`, hq)],
  ['HQ, page 400 (deep offset)', get('/stores?page=400&pageSize=20', hq)],
  ['branch admin (1,000 stores), visible=true', get('/stores?visible=true&pageSize=20', admin)],
];
console.log(`${STORES} stores in ${BRANCHES} branches, ${STORES / 2} bound; ${RUNS} runs each after warm-up`);
console.log(`baseline (raw SELECT … LIMIT 20): p50 ${baseline.p50.toFixed(2)} ms, p95 ${baseline.p95.toFixed(2)} ms`);
for (const [name, run] of cases) {
  const r = await timeIt(run);
  console.log(`${name.padEnd(44)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p95 ${r.p95.toFixed(2).padStart(6)} ms  ×${(r.p50 / baseline.p50).toFixed(1)} baseline (HTTP + count + joins)`);
}
await plugin.close();
await db.stop();
