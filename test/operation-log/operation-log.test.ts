import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../support/plugin-app.js';
import { startBindingsWorld, type BindingsWorld } from '../bindings/helpers.js';
import { todayIn, addDays } from '../../plugin/core/days.js';

// The operation log across stores: what people did, in their words, filtered and scoped, exported.
let world: BindingsWorld;
const { hq, adminB1, adminB2 } = ACTORS;
const req = (path: string, actor = hq) => world.plugin.request(path, { actor });
const today = todayIn('Asia/Shanghai');

beforeAll(async () => {
  world = await startBindingsWorld({ storesPerBranch: 3 });
  const call = (path: string, actor: typeof hq, method: string, body?: unknown) => world.plugin.request(path, { actor, method, body });
  expect((await call('/stores/S101/bindings', adminB1, 'POST', { userid: 'u_s101' })).status).toBe(200);
  expect((await call('/stores/S201/bindings', adminB2, 'POST', { userid: 'u_s201' })).status).toBe(200);
  expect((await call('/stores/S101/entry', hq, 'PUT', { visible: true, reason: '总部确认' })).status).toBe(200);
  expect((await call('/accounts/u_s101/sharing', hq, 'PUT', { allowed: true })).status).toBe(200);
});
afterAll(() => world?.close());

describe('operation log', () => {
  it('lists every store\'s operations for HQ, newest first, with names and zh-CN labels', async () => {
    const res = await req('/operation-log');
    expect(res.status).toBe(200);
    const actions = res.body.items.map((i: any) => i.action);
    expect(actions[0]).toBe('account.sharing');
    expect(actions).toEqual(expect.arrayContaining(['binding.bind', 'entry.auto_hide', 'entry.show', 'review.approve']));
    const shown = res.body.items.find((i: any) => i.action === 'entry.show');
    expect(shown).toMatchObject({ actorId: hq.id, actorName: hq.name, actionLabel: '展示入口', storeId: 'S101', storeName: '门店S101', branchName: '华东', summary: '入口 已隐藏 → 已展示', reason: '总部确认' });
    const bound = res.body.items.find((i: any) => i.action === 'binding.bind' && i.storeId === 'S101');
    expect(bound).toMatchObject({ actorName: adminB1.name, actionLabel: '绑定主账号', summary: '主账号 无 → 店员S101(u_s101)' });
    expect(res.body.actors.map((a: any) => a.name)).toEqual(expect.arrayContaining([hq.name, adminB1.name, adminB2.name, '系统']));
    expect(res.body.actions.find((a: any) => a.action === 'review.reject').label).toBe('审核退回');
  });

  it('filters by branch, store, actor, action and day', async () => {
    const ids = async (query: string) => (await req(`/operation-log?${query}`)).body.items.map((i: any) => `${i.action}@${i.storeId ?? '-'}`);
    expect((await ids('branchId=B2')).every((x: string) => x.endsWith('@S201'))).toBe(true);
    expect(await ids('storeId=S101&action=binding.bind')).toEqual(['binding.bind@S101']);
    expect(await ids(`actorId=${adminB2.id}`)).toEqual(['binding.bind@S201']);
    expect((await ids(`from=${today}&to=${today}`)).length).toBe((await req('/operation-log')).body.total);
    expect(await ids(`from=${addDays(today, 1)}`)).toEqual([]);
    expect(await ids(`to=${addDays(today, -1)}`)).toEqual([]);
    const bad = await req(`/operation-log?from=${today}&to=${addDays(today, -1)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.from).toBeTruthy();
  });

  it('shows a branch admin only its branch (rows about no branch are HQ\'s)', async () => {
    const res = await req('/operation-log', adminB1);
    expect(res.body.items.every((i: any) => i.branchId === 'B1')).toBe(true);
    expect(res.body.items.some((i: any) => i.action === 'account.sharing')).toBe(false);
    expect(res.body.actors.map((a: any) => a.id)).not.toContain(adminB2.id);
    expect((await req('/operation-log?branchId=B2', adminB1)).status).toBe(403);
  });

  it('exports what the list shows, times in the configured time zone', async () => {
    const list = (await req('/operation-log?branchId=B1')).body;
    const url = `${world.plugin.url}${world.plugin.service.config.routesPrefix}/exports/operation-log?branchId=B1&format=xlsx`;
    await req('/me');
    const res = await fetch(url, { headers: { 'X-Test-Actor': hq.id } });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('操作日志_');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const rows = workbook.worksheets[0].getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(['时间', '操作人', '操作', '门店编号', '门店', '分公司', '变更内容', '原因']);
    expect(rows).toHaveLength(list.total + 1);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(list.items[0].at));
    expect(rows[1].slice(0, 3)).toEqual([local, list.items[0].actorName, list.items[0].actionLabel]);
    expect(rows[1][6]).toBe(list.items[0].summary);

    const csv = await fetch(url.replace('xlsx', 'csv'), { headers: { 'X-Test-Actor': hq.id } });
    const text = Buffer.from(await csv.arrayBuffer());
    expect([...text.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.toString('utf8')).toContain('展示入口');
  });
});
