import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbTokenStore, WECOM_TOKENS_TABLE } from '../../plugin/wecom/token-store.js';
import type { WecomSimulator } from '../../simulator/server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { clientFor, control, startSimulator } from './helpers.js';

describe('database token store (cross-process sharing)', () => {
  let db: TestDatabase;
  let sim: WecomSimulator;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator();
    await control(sim, 'POST', '/sim/members', { userid: 'zhangsan' });
  });
  afterAll(async () => {
    await sim.close();
    await db.destroy();
  });

  // Each client has its own DB store: like two host processes sharing one database.
  const processes = () => [clientFor(sim, { tokenStore: createDbTokenStore(db.knex) }), clientFor(sim, { tokenStore: createDbTokenStore(db.knex) })];

  it('two processes starting together fetch the token once and share it through the table', async () => {
    const [a, b] = processes();
    await Promise.all([...Array.from({ length: 10 }, () => a.getUser('zhangsan')), ...Array.from({ length: 10 }, () => b.getUser('zhangsan'))]);
    expect(sim.counters()['/cgi-bin/gettoken'].calls).toBe(1);
    const rows = await db.knex(WECOM_TOKENS_TABLE).select('cache_key', 'access_token');
    expect(rows).toHaveLength(1);
    expect(sim.state.tokens.has(rows[0].access_token as string)).toBe(true);
    expect(String(rows[0].cache_key)).not.toContain('Secret');
  });

  it('after expiry only one of the processes refreshes; the other re-reads the fresh row under the lock', async () => {
    const [a, b] = processes();
    await Promise.all([a.getUser('zhangsan'), b.getUser('zhangsan')]);
    await control(sim, 'POST', '/sim/counters/reset');
    await control(sim, 'POST', '/sim/tokens/expire');
    await Promise.all([...Array.from({ length: 15 }, () => a.getUser('zhangsan')), ...Array.from({ length: 15 }, () => b.getUser('zhangsan'))]);
    expect(sim.counters()['/cgi-bin/gettoken'].calls).toBe(1);
    expect(sim.counters()['/cgi-bin/user/get'].errors['42001']).toBeGreaterThanOrEqual(2);
  });
});
