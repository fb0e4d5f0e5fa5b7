import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ACTORS, startTestPlugin, type TestPlugin } from '../support/plugin-app.js';
import { FLAT_COLUMNS } from '../../plugin/stats/stats.export.js';
import { daysOf, expectedFunnel, generateFixture, inBranches, insertFixture, type Fixture } from './fixture.js';

let db: TestDatabase;
let plugin: TestPlugin;
let fixture: Fixture;
const period = { from: '2026-03-04', to: '2026-03-15' };
const qs = (extra: Record<string, string> = {}) => `?${new URLSearchParams({ ...period, ...extra })}`;

beforeAll(async () => {
  db = await createTestDatabase();
  plugin = await startTestPlugin({ db: db.knex });
  fixture = generateFixture(11);
  await insertFixture(db.knex, fixture);
  const run = await plugin.service.jobs.runNow('metrics-rollup');
  expect(run.outcome).toBe('ok');
});
afterAll(async () => {
  await plugin.close();
  await db.destroy();
});

async function download(path: string, actor = ACTORS.hq): Promise<{ status: number; type: string | null; buffer: Buffer }> {
  await plugin.request('/stats/overview', { actor }); // registers the actor with the test host
  const response = await fetch(`${plugin.url}${plugin.service.config.routesPrefix}${path}`, { headers: { 'X-Test-Actor': actor.id } });
  return { status: response.status, type: response.headers.get('content-type'), buffer: Buffer.from(await response.arrayBuffer()) };
}

describe('GET /stats/overview: scope per role', () => {
  it('HQ sees every branch, the numbers of everything, and may export', async () => {
    const { status, body } = await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.hq });
    expect(status).toBe(200);
    expect(body.branches.map((b: { branchId: string }) => b.branchId)).toEqual(['B1', 'B2', 'B3']);
    expect(body.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches('all')));
    expect(body.canExport).toBe(true);
    expect(body.rolledUpAt).toEqual(expect.any(String));
  });

  it('a branch admin sees only their branch, and is refused another branch (403)', async () => {
    const { status, body } = await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.adminB2 });
    expect(status).toBe(200);
    expect(body.branches.map((b: { branchId: string }) => b.branchId)).toEqual(['B2']);
    expect(body.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches(['B2'])));
    expect(body.nearCapacity.accounts.every((a: { storeIds: string[] }) => a.storeIds.every((id) => id.startsWith('B2-')))).toBe(true);
    const other = await plugin.request(`/stats/overview${qs({ branchId: 'B1' })}`, { actor: ACTORS.adminB2 });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('branch_out_of_scope');
  });

  it('a viewer reads their branch but may not export; nobody signed in gets 401', async () => {
    const viewer = await plugin.request(`/stats/overview${qs()}`, { actor: ACTORS.viewerB1 });
    expect(viewer.status).toBe(200);
    expect(viewer.body.canExport).toBe(false);
    expect(viewer.body.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, inBranches(['B1'])));
    expect((await plugin.request(`/stats/export.xlsx${qs()}`, { actor: ACTORS.viewerB1 })).status).toBe(403);
    expect((await plugin.request(`/stats/export.csv${qs()}`, { actor: ACTORS.viewerB1 })).status).toBe(403);
    expect((await plugin.request(`/stats/overview${qs()}`)).status).toBe(401);
  });

  it('answers 400 with per-field details for bad dates and unknown parameters, 404 for an unknown branch', async () => {
    const bad = await plugin.request('/stats/overview?from=2026-02-30&to=x&bogus=1', { actor: ACTORS.hq });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['bogus', 'from', 'to']);
    const reversed = await plugin.request('/stats/overview?from=2026-03-10&to=2026-03-01', { actor: ACTORS.hq });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details.fields.from).toBeTruthy();
    const unknown = await plugin.request(`/stats/overview${qs({ branchId: 'B9' })}`, { actor: ACTORS.hq });
    expect(unknown.status).toBe(404);
  });

  it('store funnel: in scope only', async () => {
    const ok = await plugin.request(`/stats/stores/B1-S1${qs()}`, { actor: ACTORS.adminB1 });
    expect(ok.status).toBe(200);
    expect(ok.body.funnel).toEqual(expectedFunnel(fixture, period.from, period.to, (s) => s.id === 'B1-S1'));
    expect((await plugin.request(`/stats/stores/B1-S1${qs()}`, { actor: ACTORS.adminB2 })).status).toBe(403);
    expect((await plugin.request(`/stats/stores/NOPE${qs()}`, { actor: ACTORS.hq })).status).toBe(404);
  });
});

describe('exports: same filters as the screen', () => {
  it('XLSX: a summary sheet with the period-distinct funnel and a flat store × day sheet, parsed back', async () => {
    const { status, type, buffer } = await download(`/stats/export.xlsx${qs()}`, ACTORS.adminB1);
    expect(status).toBe(200);
    expect(type).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['汇总', '明细']);

    const summary = workbook.getWorksheet('汇总')!;
    const valueOf = (label: string) => {
      let found: unknown;
      summary.eachRow((row) => {
        if (row.getCell(1).value === label && found === undefined) found = row.getCell(2).value;
      });
      return found;
    };
    const expected = expectedFunnel(fixture, period.from, period.to, inBranches(['B1']));
    expect(valueOf('统计区间')).toBe(`${period.from} ~ ${period.to}`);
    expect(valueOf('下单结果页访客')).toBe(expected.orderResultVisitors);
    expect(valueOf('点击入口访客')).toBe(expected.entryClickers);
    expect(valueOf('引导页访客')).toBe(expected.guideVisitors);
    expect(valueOf('点击添加访客')).toBe(expected.addClickers);
    expect(valueOf('确认添加客户')).toBe(expected.confirmedAdds);
    expect(valueOf('引导页访客中已添加')).toBe(expected.guideAdds);
    expect(valueOf('无引导页访问的添加客户')).toBe(expected.directAdds);
    expect(valueOf('添加率')).toBe(`${((expected.guideAdds / expected.guideVisitors) * 100).toFixed(1)}%`);

    const flat = workbook.getWorksheet('明细')!;
    const header = (flat.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(FLAT_COLUMNS.map((c) => c.header));
    const rows: unknown[][] = [];
    flat.eachRow((row, n) => {
      if (n > 1) rows.push((row.values as unknown[]).slice(1));
    });
    const days = daysOf(period.from, period.to);
    const b1 = fixture.stores.filter((s) => s.branchId === 'B1');
    // Open stores: every day; closed stores: only days with activity.
    const expectedRows = b1.flatMap((s) =>
      days
        .map((day) => ({ s, day, counts: expectedFunnel(fixture, day, day, (x) => x.id === s.id) }))
        .filter(({ s: st, counts }) => st.isOpen || Object.values(counts).some((n) => n > 0)),
    );
    expect(rows.length).toBe(expectedRows.length);
    for (const { s, day, counts } of expectedRows) {
      const row = rows.find((r) => r[0] === day && r[3] === s.id);
      expect(row).toEqual([
        day, 'B1', '华东分公司', s.id, s.name, s.isOpen ? '是' : '否',
        s.bindings.some((b) => !b.ended && b.role !== 'retired') ? '是' : '否', s.visible === true ? '是' : '否',
        counts.orderResultVisitors, counts.entryClickers, counts.guideVisitors, counts.addClickers, counts.confirmedAdds,
        counts.guideAdds, counts.directAdds,
      ]);
    }
  });

  it('CSV: the same flat rows, UTF-8 with BOM, for an HQ branch filter', async () => {
    const { status, type, buffer } = await download(`/stats/export.csv${qs({ branchId: 'B3' })}`);
    expect(status).toBe(200);
    expect(type).toContain('text/csv');
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records: string[][] = parse(buffer.toString('utf8').slice(1));
    expect(records[0]).toEqual(FLAT_COLUMNS.map((c) => c.header));
    const body = records.slice(1);
    expect(new Set(body.map((r) => r[1]))).toEqual(new Set(['B3']));
    const sumConfirmed = body.reduce((sum, r) => sum + Number(r[12]), 0);
    const expectedDailySum = daysOf(period.from, period.to)
      .flatMap((day) => fixture.stores.filter((s) => s.branchId === 'B3').map((s) => expectedFunnel(fixture, day, day, (x) => x.id === s.id).confirmedAdds))
      .reduce((a, b) => a + b, 0);
    expect(sumConfirmed).toBe(expectedDailySum);
  });

  it('refuses an out-of-scope branch before sending anything', async () => {
    const { status, body } = await plugin.request(`/stats/export.xlsx${qs({ branchId: 'B2' })}`, { actor: ACTORS.adminB1 });
    expect(status).toBe(403);
    expect(body.error.code).toBe('branch_out_of_scope');
  });
});
