import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, upload, waitForImport, type BindingsWorld } from './helpers.js';

let world: BindingsWorld;
const hq = ACTORS.hq;
const admin = ACTORS.adminB1;

beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 8 });
  // u_s108 already serves S108: binding it elsewhere must be reported.
  await world.plugin.request('/stores/S108/bindings', { actor: admin, method: 'POST', body: { userid: 'u_s108', role: 'primary' } });
});
afterAll(() => world?.close());

const HEADER = '门店编号,企微账号,角色(主账号/备用)\n';
const csv = (lines: string[]) => HEADER + lines.join('\n') + '\n';
const counts = async () => ({
  bindings: Number((await world.db.knex('wss_store_accounts').count({ n: '*' }))[0].n),
  audit: Number((await world.db.knex('wss_audit_log').count({ n: '*' }))[0].n),
  ways: world.sim.state.contactWays.size,
});

async function dryRun(actor: typeof admin, fileName: string, content: string | Buffer) {
  const res = await upload(world.plugin, actor, fileName, content);
  expect(res.status).toBe(202);
  return waitForImport(world.plugin, res.body.id, actor);
}

describe('binding import', () => {
  it('serves a template with zh-CN headers, as CSV and XLSX', async () => {
    const res = await fetch(`${world.plugin.url}/plugins/wecom-store-service/imports/template?format=csv`, { headers: { 'X-Test-Actor': admin.id } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect((await res.text()).replace(/^\uFEFF/, '').split('\n')[0]).toBe('门店编号,企微账号,角色(主账号/备用),备注');
    const xlsx = await fetch(`${world.plugin.url}/plugins/wecom-store-service/imports/template?format=xlsx`, { headers: { 'X-Test-Actor': admin.id } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets[0].getRow(1).values).toEqual([undefined, '门店编号', '企微账号', '角色(主账号/备用)', '备注']);
  });

  it('reports every bad-row kind with its row number and refuses to commit', async () => {
    const before = await counts();
    const job = await dryRun(admin, 'bad.csv', csv([
      'S101,u_s101,主账号', //  2 ok
      'S101,u_s101,主账号', //  3 duplicate
      'NOPE,u_s102,主账号', //  4 unknown store
      'S201,u_s201,主账号', //  5 other branch
      'S199,u_s199,主账号', //  6 closed
      'S102,u_ghost,主账号', // 7 unknown userid
      'S103,u_disabled,主账号', // 8 inactive
      'S104,u_s108,主账号', //  9 bound to S108
      'S102,u_s102,备用', //   10 ok
      'S105,u_s102,主账号', // 11 given to S102 on row 10
      'S106,u_s106,经理', //   12 bad role
      'S107,,主账号', //       13 missing userid
    ]));
    expect(job.status).toBe('validated');
    const byRow = Object.fromEntries(job.report.map((r: any) => [r.row, r.status === 'ok' ? `ok:${r.action}` : r.code]));
    expect(byRow).toEqual({
      2: 'ok:bind', 3: 'duplicate_row', 4: 'store_not_in_scope', 5: 'store_not_in_scope', 6: 'store_closed', 7: 'unknown_userid',
      8: 'inactive_userid', 9: 'account_bound_elsewhere', 10: 'ok:add_backup', 11: 'account_bound_elsewhere', 12: 'invalid_role', 13: 'missing_userid',
    });
    expect(job.report.find((r: any) => r.row === 9).message).toContain('S108');
    expect(job.summary).toMatchObject({ total: 12, ok: 2, errors: 10 });
    expect(job.summary.members).toBeUndefined();

    const commit = await world.plugin.request(`/imports/${job.id}/commit`, { actor: admin, method: 'POST' });
    expect(commit.status).toBe(409);
    expect(commit.body.error.code).toBe('import_has_errors');
    expect(await counts()).toEqual(before);
  });

  it('rejects files it cannot use with a 400', async () => {
    expect((await upload(world.plugin, admin, 'x.txt', 'a')).body.error.code).toBe('unsupported_file');
    expect((await upload(world.plugin, admin, 'x.csv', 'foo,bar\n1,2\n')).body.error.code).toBe('missing_columns');
    const tooMany = HEADER + Array.from({ length: 5001 }, (_, i) => `S${i},u${i},主账号`).join('\n');
    const res = await upload(world.plugin, admin, 'big.csv', tooMany);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('too_many_rows');
  });

  it('commits all or nothing: a WeCom failure half-way leaves no binding and no live code behind', async () => {
    const job = await dryRun(admin, 'ok.csv', csv(['S101,u_s101,主账号', 'S102,u_s102,主账号', 'S103,u_s103,主账号', 'S104,u_s104,主账号']));
    expect(job.summary).toMatchObject({ ok: 4, errors: 0 });
    const before = await counts();
    world.sim.state.contactWayQuota = before.ways + 2; // the third add_contact_way fails (41045)
    await world.plugin.request(`/imports/${job.id}/commit`, { actor: admin, method: 'POST' });
    const failed = await waitForImport(world.plugin, job.id, admin);
    world.sim.state.contactWayQuota = 500_000;
    expect(failed.status).toBe('failed');
    expect(await counts()).toEqual(before);
  });

  it('commits an XLSX import, hides the entries for review, and re-importing the same file changes nothing', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('绑定');
    sheet.addRow(['门店编号', '企微账号', '角色(主账号/备用)']);
    sheet.addRow(['S101', 'u_s101', '主账号']);
    sheet.addRow(['S101', 'u_s101_b', '备用']);
    sheet.addRow(['S102', 'u_s102', '']);
    sheet.addRow(['S108', 'u_s108_b', '主账号']); // rebinds S108
    const file = Buffer.from(await workbook.xlsx.writeBuffer());

    const job = await dryRun(admin, 'bindings.xlsx', file);
    expect(job.report.map((r: any) => r.action)).toEqual(['bind', 'add_backup', 'bind', 'rebind']);
    expect((await world.plugin.request(`/imports/${job.id}/commit`, { actor: admin, method: 'POST' })).status).toBe(202);
    const done = await waitForImport(world.plugin, job.id, admin);
    expect(done.status).toBe('committed');
    expect(done.processedRows).toBe(4);

    const s101 = (await world.plugin.request('/stores/S101/bindings', { actor: admin })).body;
    expect(s101.bindings.map((b: any) => [b.userid, b.role])).toEqual([['u_s101', 'primary'], ['u_s101_b', 'backup']]);
    expect(s101.entry).toMatchObject({ visible: false, hiddenAutomatically: 'pending_review' });
    expect(s101.liveCode.accountUserids).toEqual(['u_s101']);
    const s108 = (await world.plugin.request('/stores/S108/bindings', { actor: admin })).body;
    expect(s108.liveCode.accountUserids).toEqual(['u_s108_b']);
    const imported = await world.db.knex('wss_audit_log').where('reason', '批量导入 bindings.xlsx');
    expect(imported).toHaveLength(4);

    const before = await counts();
    const versions = await world.db.knex('wss_store_entries').select('store_id', 'version').orderBy('store_id');
    const again = await dryRun(admin, 'bindings.xlsx', file);
    expect(again.report.map((r: any) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    await world.plugin.request(`/imports/${again.id}/commit`, { actor: admin, method: 'POST' });
    expect((await waitForImport(world.plugin, again.id, admin)).status).toBe('committed');
    expect(await counts()).toEqual(before);
    expect(await world.db.knex('wss_store_entries').select('store_id', 'version').orderBy('store_id')).toEqual(versions);
  });

  it('keeps import jobs private to their uploader', async () => {
    const job = await dryRun(admin, 'mine.csv', csv(['S105,u_s105,主账号']));
    expect((await world.plugin.request(`/imports/${job.id}`, { actor: ACTORS.adminB2 })).status).toBe(404);
    expect((await world.plugin.request(`/imports/${job.id}/commit`, { actor: ACTORS.viewerB1, method: 'POST' })).status).toBe(403);
  });

  it('exports one flat row per store with filters, scoped to the branch', async () => {
    const res = await fetch(`${world.plugin.url}/plugins/wecom-store-service/exports/bindings?format=csv&bound=true`, { headers: { 'X-Test-Actor': admin.id } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0].split(',').slice(0, 7)).toEqual(['门店编号', '门店名称', '分公司编号', '分公司', '营业状态', '是否绑定', '主账号']);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(['S101', 'S102', 'S108']);
    expect(rows[0].slice(6, 9)).toEqual(['u_s101', '店员S101', 'u_s101_b']);
    await world.plugin.request('/me', { actor: hq });
    const xlsx = await fetch(`${world.plugin.url}/plugins/wecom-store-service/exports/bindings?format=xlsx`, { headers: { 'X-Test-Actor': hq.id } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    expect(workbook.worksheets[0].rowCount).toBe(1 + 17); // header + every store of both branches
    const outside = await world.plugin.request('/exports/bindings?branchId=B2', { actor: admin });
    expect(outside.status).toBe(403);
  });
});
