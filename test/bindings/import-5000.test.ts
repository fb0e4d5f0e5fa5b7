import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, upload, waitForImport, type BindingsWorld } from './helpers.js';

let world: BindingsWorld;
beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 2500 });
});
afterAll(() => world?.close());

describe('a 5,000-row import', () => {
  it('dry-runs, reports progress, and commits every row in one go', { timeout: 180_000 }, async () => {
    const stores = await world.db.knex('wss_stores').where('is_open', true).orderBy('id').limit(5000).pluck('id');
    expect(stores).toHaveLength(5000);
    const file = '门店编号,企微账号,角色\n' + stores.map((id: string) => `${id},u_${id.toLowerCase()},主账号`).join('\n');
    const res = await upload(world.plugin, ACTORS.hq, 'all.csv', file);
    expect(res.status).toBe(202);
    expect(res.body.totalRows).toBe(5000);
    const job = await waitForImport(world.plugin, res.body.id, ACTORS.hq);
    expect(job.summary).toMatchObject({ total: 5000, ok: 5000, errors: 0 });

    await world.plugin.request(`/imports/${job.id}/commit`, { actor: ACTORS.hq, method: 'POST' });
    const progress: number[] = [];
    let done: any;
    for (;;) {
      done = (await world.plugin.request(`/imports/${job.id}`, { actor: ACTORS.hq })).body;
      progress.push(done.processedRows);
      if (done.status !== 'committing') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done.status).toBe('committed');
    expect(Math.max(...progress)).toBe(5000);
    const [{ n }] = await world.db.knex('wss_store_accounts').whereNull('ended_at').count({ n: '*' });
    expect(Number(n)).toBe(5000);
    expect(world.sim.state.contactWays.size).toBe(5000);
    const [{ hidden }] = await world.db.knex('wss_store_entries').where({ hidden_automatically: 'pending_review' }).count({ hidden: '*' });
    expect(Number(hidden)).toBe(5000);
  });
});
