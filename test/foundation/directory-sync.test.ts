import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';

let db: TestDatabase;
let plugin: TestPlugin;

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
  plugin.directory.branches = [
    { id: 'B1', name: '华东分公司' },
    { id: 'B2', name: '华南分公司' },
  ];
  // 2,500 stores: several host pages (1,000 a page).
  plugin.directory.stores = Array.from({ length: 2500 }, (_, i) => ({
    id: `S${String(i).padStart(5, '0')}`,
    name: `门店${i}`,
    branchId: i % 2 ? 'B2' : 'B1',
    isOpen: i % 10 !== 0,
  }));
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
});

const sync = () => plugin.service.services.directory.sync();

describe('directory sync', () => {
  it('mirrors every branch and store, page by page', async () => {
    const result = await sync();
    expect(result.branches.inserted).toBe(2);
    expect(result.stores).toMatchObject({ seen: 2500, inserted: 2500, updated: 0, closedMissing: 0 });
    const [{ n }] = await db.knex('wss_stores').count<{ n: string }[]>({ n: '*' });
    expect(Number(n)).toBe(2500);
    const closed = await db.knex('wss_stores').where('is_open', false).count<{ n: string }[]>({ n: '*' });
    expect(Number(closed[0].n)).toBe(250);
  });

  it('is idempotent: an unchanged directory changes no row', async () => {
    const before = await db.knex('wss_stores').orderBy('id').select();
    const result = await sync();
    expect(result.branches).toMatchObject({ inserted: 0, updated: 0, deactivated: 0 });
    expect(result.stores).toMatchObject({ inserted: 0, updated: 0, closedMissing: 0 });
    expect(await db.knex('wss_stores').orderBy('id').select()).toEqual(before);
  });

  it('closes a store that disappeared or closed in the host, never deletes it, and reopens it', async () => {
    const gone = plugin.directory.stores.splice(1, 1)[0];
    plugin.directory.stores[1] = { ...plugin.directory.stores[1], isOpen: false, name: '改名门店' };
    const result = await sync();
    expect(result.stores.closedMissing).toBe(1);
    expect(result.stores.updated).toBe(1);
    const missing = await db.knex('wss_stores').where('id', gone.id).first();
    expect(missing).toMatchObject({ is_open: false, closed_reason: 'missing' });
    expect(missing.closed_at).toBeInstanceOf(Date);
    const renamed = await db.knex('wss_stores').where('id', plugin.directory.stores[1].id).first();
    expect(renamed).toMatchObject({ is_open: false, closed_reason: 'host', name: '改名门店' });

    plugin.directory.stores.push(gone);
    const again = await sync();
    expect(again.stores.updated).toBe(1);
    expect(await db.knex('wss_stores').where('id', gone.id).first()).toMatchObject({ is_open: true, closed_reason: null, closed_at: null });
  });

  it('skips stores of branches the host does not list, and reports them', async () => {
    plugin.directory.stores.push({ id: 'ORPHAN', name: '无主门店', branchId: 'B9', isOpen: true });
    const result = await sync();
    expect(result.stores.skippedUnknownBranch).toBe(1);
    expect(await db.knex('wss_stores').where('id', 'ORPHAN').first()).toBeUndefined();
    plugin.directory.stores.pop();
  });

  it('runs as the directory-sync job under a cross-process lock', async () => {
    const [first, second] = await Promise.all([
      plugin.service.jobs.runNow('directory-sync'),
      plugin.service.jobs.runNow('directory-sync'),
    ]);
    expect([first.outcome, second.outcome].sort()).toEqual(['ok', 'skipped_locked']);
    const run = await db.knex('wss_job_runs').where('job_id', 'directory-sync').first();
    expect(run.outcome).toBe('ok');
  });
});

describe('store list API', () => {
  it('scopes a branch admin to their branch and 403s another branch', async () => {
    const own = await plugin.request('/stores?pageSize=500', { actor: ACTORS.adminB1 });
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(1250);
    expect(own.body.items.every((s: { branchId: string }) => s.branchId === 'B1')).toBe(true);

    const other = await plugin.request('/stores?branchId=B2', { actor: ACTORS.adminB1 });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('branch_out_of_scope');

    const branches = await plugin.request('/branches', { actor: ACTORS.adminB1 });
    expect(branches.body.items.map((b: { id: string }) => b.id)).toEqual(['B1']);
  });

  it('lets HQ see every branch', async () => {
    const all = await plugin.request('/stores?pageSize=1', { actor: ACTORS.hq });
    expect(all.body.total).toBe(2500);
    const b2 = await plugin.request('/stores?branchId=B2&pageSize=1', { actor: ACTORS.hq });
    expect(b2.body.total).toBe(1250);
  });

  it('filters by open, binding and visibility, searches by id or name, and pages', async () => {
    const k = db.knex;
    const [acc] = await k('wss_wecom_accounts').insert({ userid: 'kf_s00002', name: '李娜' }).returning('id');
    await k('wss_store_accounts').insert({ store_id: 'S00002', account_id: acc.id, role: 'primary', bound_by: 'test' });
    await k('wss_store_entries').insert({ store_id: 'S00002', visible: true, changed_by: 'test' });

    const bound = await plugin.request('/stores?bound=true', { actor: ACTORS.hq });
    expect(bound.body.items).toEqual([
      expect.objectContaining({ id: 'S00002', bound: true, primaryUserid: 'kf_s00002', primaryName: '李娜', visible: true }),
    ]);
    const unbound = await plugin.request('/stores?bound=false&branchId=B1&pageSize=1', { actor: ACTORS.hq });
    expect(unbound.body.total).toBe(1249);
    const shown = await plugin.request('/stores?visible=true', { actor: ACTORS.hq });
    expect(shown.body.total).toBe(1);
    const hidden = await plugin.request('/stores?visible=false&pageSize=1', { actor: ACTORS.hq });
    expect(hidden.body.total).toBe(2499);
    const closed = await plugin.request('/stores?open=false&pageSize=1', { actor: ACTORS.hq });
    expect(closed.body.total).toBe(250 + 1);

    const byName = await plugin.request(`/stores?q=${encodeURIComponent('门店123')}`, { actor: ACTORS.hq });
    expect(byName.body.items.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['S00123', 'S01230', 'S01231']),
    );
    const byId = await plugin.request('/stores?q=s0012', { actor: ACTORS.hq });
    expect(byId.body.total).toBe(10);
    const wildcard = await plugin.request('/stores?q=%25', { actor: ACTORS.hq });
    expect(wildcard.body.total).toBe(0);

    const page2 = await plugin.request('/stores?branchId=B1&pageSize=10&page=2', { actor: ACTORS.hq });
    expect(page2.body.items.map((s: { id: string }) => s.id)[0]).toBe('S00020');
  });

  it('counts a store served only by a retired account as unbound, in the filter as in the row', async () => {
    const k = db.knex;
    const [acc] = await k('wss_wecom_accounts').insert({ userid: 'kf_s00004_old', name: '旧账号' }).returning('id');
    await k('wss_store_accounts').insert({ store_id: 'S00004', account_id: acc.id, role: 'retired', bound_by: 'test' });
    const bound = await plugin.request('/stores?bound=true', { actor: ACTORS.hq });
    expect(bound.body.items.map((s: { id: string }) => s.id)).toEqual(['S00002']);
    const unbound = await plugin.request('/stores?bound=false&q=S00004', { actor: ACTORS.hq });
    expect(unbound.body.items).toEqual([expect.objectContaining({ id: 'S00004', bound: false })]);
  });

  it('answers bad input with 400 and per-field details', async () => {
    const res = await plugin.request('/stores?page=0&pageSize=9999&bound=maybe&color=red', { actor: ACTORS.hq });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(Object.keys(res.body.error.details.fields).sort()).toEqual(['bound', 'color', 'page', 'pageSize']);
  });

  it('answers 401 without a signed-in actor, 403 without the permission, JSON 404 on unknown routes', async () => {
    expect((await plugin.request('/stores')).status).toBe(401);
    const noRights = { ...ACTORS.adminB1, id: 'nobody', permissions: [] };
    const res = await plugin.request('/stores', { actor: noRights });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('missing_permission');
    const missing = await plugin.request('/no/such/route', { actor: ACTORS.hq });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'route_not_found', message: 'No such route' } });
    const unknownBranch = await plugin.request('/stores?branchId=B404', { actor: ACTORS.hq });
    expect(unknownBranch.status).toBe(404);
    const wrongMethod = await plugin.request('/branches', { actor: ACTORS.hq, method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toContain('GET');
  });
});

describe('closing a shown store', () => {
  it('hides its entry automatically, says why, and audits it', async () => {
    const shown = await db.knex('wss_store_entries').where({ store_id: 'S00002' }).first();
    expect(shown.visible).toBe(true);
    const store = plugin.directory.stores.find((s) => s.id === 'S00002')!;
    store.isOpen = false;
    await sync();
    const entry = await db.knex('wss_store_entries').where({ store_id: 'S00002' }).first();
    expect(entry).toMatchObject({ visible: false, hidden_automatically: 'store_closed', reason: '门店已关店' });
    const audit = await db.knex('wss_audit_log').where({ entity_id: 'S00002', action: 'entry.auto_hide' }).first();
    expect(audit).toBeTruthy();
    store.isOpen = true;
  });
});
