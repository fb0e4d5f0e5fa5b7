import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBindingsWorld, upload, type BindingsWorld } from '../bindings/helpers.js';
import { ACTORS } from '../support/plugin-app.js';
import { sheetCell } from '../../plugin/core/sheet-cells.js';
import { parseImportFile } from '../../plugin/bindings/import-file.js';
import { inlineRow, xlsxOf, zipParts } from './xlsx-files.js';

// Import files built to exhaust the server, and exports that must open as text, never as formulas.
let world: BindingsWorld;
const FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")';
beforeAll(async () => {
  world = await startBindingsWorld();
  world.plugin.directory.stores.find((s) => s.id === 'S101')!.name = FORMULA_NAME;
  world.plugin.directory.stores.find((s) => s.id === 'S102')!.name = '+1-2';
  await world.plugin.service.services.directory.sync();
  await world.plugin.request('/stores/S101/bindings', { actor: ACTORS.hq, method: 'POST', body: { userid: 'u_s101', role: 'primary', reason: '@SUM(1+1)' } });
});
afterAll(() => world?.close());

const inputCode = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'accepted';
};

describe('import files', () => {
  it('refuses a 100 MB shared string in a small file before holding it', async () => {
    const huge = Buffer.alloc(100 * 1024 * 1024, 'A');
    const sst = Buffer.concat([Buffer.from('<sst><si><t>门店编号</t></si><si><t>'), huge, Buffer.from('</t></si></sst>')]);
    const file = xlsxOf(`<row r="1"><c t="s"><v>0</v></c><c t="inlineStr"><is><t>企微账号</t></is></c></row><row r="2"><c t="s"><v>1</v></c></row>`, sst);
    expect(file.length).toBeLessThan(1024 * 1024);
    const res = await upload(world.plugin, ACTORS.hq, 'bomb.xlsx', file);
    expect(res.status).toBe(400);
    expect(['cell_too_long', 'file_too_large']).toContain(res.body.error.code);
    expect(await world.db.knex('wss_binding_imports').count({ n: '*' }).then((r) => Number(r[0].n))).toBe(0);
  });

  it.each([
    ['a DOCTYPE with entities', '<!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>', 'unreadable_file'],
    ['a cell past 500 characters', `<worksheet><sheetData>${inlineRow(1, ['门店编号', '企微账号'])}${inlineRow(2, ['S1', 'x'.repeat(501)])}</sheetData></worksheet>`, 'cell_too_long'],
    ['a column past 50', `<worksheet><sheetData>${inlineRow(1, ['门店编号', '企微账号'])}<row r="2"><c r="AZ2" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`, 'too_many_columns'],
  ])('refuses a sheet with %s', async (_name, sheet, code) => {
    const zip = zipParts({ 'xl/worksheets/sheet1.xml': sheet });
    expect(await inputCode(parseImportFile(zip, 'xlsx'))).toBe(code);
  });

  it('refuses a CSV with one huge field or a million rows as soon as it sees them', async () => {
    expect(await inputCode(parseImportFile(Buffer.from(`门店编号,企微账号\nS1,"${'x'.repeat(3 * 1024 * 1024)}"\n`), 'csv'))).toBe('cell_too_long');
    const many = Buffer.from(`门店编号,企微账号\n${'S1,u\n'.repeat(1_000_000)}`);
    expect(await inputCode(parseImportFile(many, 'csv'))).toBe('too_many_rows');
  });

  it('still reads a real workbook (ExcelJS) with shared strings, numbers and rich text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('门店绑定');
    sheet.addRow(['门店编号', '企微账号', '角色', '备注']);
    sheet.addRow([1001, 'kf_1001', '主账号', { richText: [{ text: '富' }, { text: '文本' }] }]);
    sheet.addRow([]);
    sheet.addRow(['S2', 'kf_2', '备用', '']);
    const rows = await parseImportFile(Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx');
    expect(rows).toEqual([
      { row: 2, storeId: '1001', userid: 'kf_1001', role: '主账号', note: '富文本' },
      { row: 4, storeId: 'S2', userid: 'kf_2', role: '备用', note: '' },
    ]);
  });
});

describe('exports', () => {
  it('the cell writer neutralises every formula prefix and leaves numbers alone', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(sheetCell(text)).toBe(`'${text}`);
    expect(sheetCell('门店 =1')).toBe('门店 =1');
    expect(sheetCell(-5)).toBe(-5);
    expect(sheetCell(null)).toBe('');
  });

  const csvOf = async (path: string) => {
    const res = await fetch(`${world.plugin.url}${world.plugin.service.config.routesPrefix}${path}`, { headers: { 'X-Test-Actor': ACTORS.hq.id } });
    expect(res.status).toBe(200);
    return (await res.text()).replace(/^\uFEFF/, '');
  };

  it.each(['/exports/bindings?format=csv', '/stats/export.csv', '/exports/operation-log?format=csv'])('%s writes store names and reasons as text', async (path) => {
    await world.plugin.request('/me', { actor: ACTORS.hq });
    const text = await csvOf(path);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(text).not.toMatch(/(^|,)"?[+@]/m);
    if (!path.includes('operation-log')) expect(text).toContain(`'=HYPERLINK`);
  });

  it('the XLSX exports hold the neutralised text', async () => {
    const res = await fetch(`${world.plugin.url}${world.plugin.service.config.routesPrefix}/exports/bindings?format=xlsx`, { headers: { 'X-Test-Actor': ACTORS.hq.id } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const names: string[] = [];
    workbook.worksheets[0].eachRow((row) => names.push(String(row.getCell(2).value)));
    expect(names).toContain(`'${FORMULA_NAME}`);
    expect(names).toContain(`'+1-2`);
  });
});

// Last: building the file blocks the event loop for seconds, which would outlive the HTTP keep-alive
// of the requests above.
describe('a million-row import', () => {
  it('stops at the first row past 5,000 of a million-row sheet, without inflating the rest', async () => {
    const file = xlsxOf(inlineRow(1, ['门店编号', '企微账号']) + '<row><c t="inlineStr"><is><t>S1</t></is></c><c t="inlineStr"><is><t>u</t></is></c></row>'.repeat(999_999));
    expect(file.length).toBeLessThan(10 * 1024 * 1024);
    const heapBefore = process.memoryUsage().heapUsed;
    expect(await inputCode(parseImportFile(file, 'xlsx'))).toBe('too_many_rows');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });
});
