import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { formatOf, MAX_IMPORT_ROWS, parseImportFile, parseRole, templateFile, TEMPLATE_HEADERS, writeSheet } from './import-file.js';

const csv = (text: string) => Buffer.from(text, 'utf8');

/** Awaits a rejection and returns it as an InputError (failing the test otherwise). */
async function inputError(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('parseImportFile: CSV', () => {
  it('reads the template headers and numbers rows as in a spreadsheet', async () => {
    const rows = await parseImportFile(csv('门店编号,企微账号,角色(主账号/备用),备注\nS1,kf_1,主账号,首个\nS1,kf_2,备用,\n'), 'csv');
    expect(rows).toEqual([
      { row: 2, storeId: 'S1', userid: 'kf_1', role: '主账号', note: '首个' },
      { row: 3, storeId: 'S1', userid: 'kf_2', role: '备用', note: '' },
    ]);
  });

  it('answers unreadable_file when text valid at the start (read as UTF-8) turns invalid later', async () => {
    const head = '门店编号,企微账号\n' + Array.from({ length: 3000 }, (_, i) => `S${i},kf_${i},主账号,门店备注门店备注`).join('\n') + '\n';
    expect(Buffer.byteLength(head)).toBeGreaterThan(64 * 1024);
    const error = await inputError(parseImportFile(Buffer.concat([csv(head), Buffer.from([0xff, 0xfe, 0x2c, 0x0a])]), 'csv'));
    expect(error.code).toBe('unreadable_file');
  });

  it('strips a UTF-8 BOM so the first header is recognised', async () => {
    const rows = await parseImportFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv('门店编号,企微账号\r\nS1,kf_1\r\n')]), 'csv');
    expect(rows).toEqual([{ row: 2, storeId: 'S1', userid: 'kf_1', role: '', note: '' }]);
  });

  it('decodes GBK bytes (Excel in China) when the file is not UTF-8', async () => {
    const 门店编号 = Buffer.from([0xc3, 0xc5, 0xb5, 0xea, 0xb1, 0xe0, 0xba, 0xc5]);
    const 门店 = Buffer.from([0xc3, 0xc5, 0xb5, 0xea]);
    const buffer = Buffer.concat([门店编号, Buffer.from(',userid,note\r\nS9,kf_9,'), 门店, Buffer.from('\r\n')]);
    expect(await parseImportFile(buffer, 'csv')).toEqual([{ row: 2, storeId: 'S9', userid: 'kf_9', role: '', note: '门店' }]);
  });

  it('accepts English headers in any case and spacing, in any order', async () => {
    const rows = await parseImportFile(csv('Remark, ROLE ,User ID,Store ID\nhello,backup,kf_1,S1\n'), 'csv');
    expect(rows).toEqual([{ row: 2, storeId: 'S1', userid: 'kf_1', role: 'backup', note: 'hello' }]);
  });

  it.each([
    ['门店id,企业微信账号,角色（主账号/备用）,备注'],
    ['门店代码,企微userid,角色,note'],
    ['store,account,role,remark'],
    ['StoreId,UserId,Role (primary/backup),Note'],
  ])('accepts header aliases: %s', async (header) => {
    const rows = await parseImportFile(csv(`${header}\nS1,kf_1,备用,n\n`), 'csv');
    expect(rows).toEqual([{ row: 2, storeId: 'S1', userid: 'kf_1', role: '备用', note: 'n' }]);
  });

  it('trims cells and fills short rows with empty strings', async () => {
    const rows = await parseImportFile(csv('门店编号,企微账号,角色,备注\n  S1 , kf_1 \n'), 'csv');
    expect(rows).toEqual([{ row: 2, storeId: 'S1', userid: 'kf_1', role: '', note: '' }]);
  });

  it('skips blank lines and keeps the spreadsheet row numbers of the rest', async () => {
    const rows = await parseImportFile(csv('\n门店编号,企微账号\n\nS1,kf_1\n,\n , \nS2,kf_2\n'), 'csv');
    // Row 1 is blank, the header is row 2.
    expect(rows.map((r) => [r.row, r.storeId])).toEqual([
      [4, 'S1'],
      [7, 'S2'],
    ]);
  });

  it('names each missing column with code missing_columns', async () => {
    const both = await inputError(parseImportFile(csv('名称,角色\nx,主\n'), 'csv'));
    expect(both.kind).toBe('invalid');
    expect(both.code).toBe('missing_columns');
    expect(both.details).toEqual({ fields: { storeId: 'missing column', userid: 'missing column' } });
    expect(both.message).toContain('门店编号');
    expect(both.message).toContain('企微账号');

    const one = await inputError(parseImportFile(csv('门店编号,角色\nS1,主\n'), 'csv'));
    expect(one.code).toBe('missing_columns');
    expect(one.details).toEqual({ fields: { userid: 'missing column' } });
    expect(one.message).not.toContain('门店编号');
  });

  it('rejects an empty file, a blank file and a header-only file with empty_file', async () => {
    for (const text of ['', '\n\n', '\uFEFF', ',,\n,,\n', '门店编号,企微账号\n', '门店编号,企微账号\n\n,\n']) {
      const error = await inputError(parseImportFile(csv(text), 'csv'));
      expect(error.code, JSON.stringify(text)).toBe('empty_file');
    }
  });

  it('accepts exactly 5,000 rows and rejects 5,001 with too_many_rows', async () => {
    const file = (n: number) => csv(['门店编号,企微账号', ...Array.from({ length: n }, (_, i) => `S${i},kf_${i}`)].join('\n'));
    const rows = await parseImportFile(file(MAX_IMPORT_ROWS), 'csv');
    expect(MAX_IMPORT_ROWS).toBe(5000);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toMatchObject({ row: 5001, storeId: 'S4999' });
    const error = await inputError(parseImportFile(file(MAX_IMPORT_ROWS + 1), 'csv'));
    expect(error.code).toBe('too_many_rows');
    // The read stops at the first row past the limit, so the message names the limit, not the file's length.
    expect(error.message).toContain('超过 5000 行');
  });

  it('does not count blank lines toward the row limit', async () => {
    const lines = ['门店编号,企微账号', ...Array.from({ length: MAX_IMPORT_ROWS }, (_, i) => `S${i},kf_${i}\n,`)];
    const rows = await parseImportFile(csv(lines.join('\n')), 'csv');
    expect(rows).toHaveLength(MAX_IMPORT_ROWS);
  });

  it('rejects malformed CSV with unreadable_file', async () => {
    const error = await inputError(parseImportFile(csv('门店编号,企微账号\n"S1,kf_1\n'), 'csv'));
    expect(error.code).toBe('unreadable_file');
  });
});

describe('parseImportFile: XLSX', () => {
  it('reads back the XLSX template', async () => {
    const rows = await parseImportFile(await templateFile('xlsx'), 'xlsx');
    expect(rows).toEqual([
      { row: 2, storeId: 'S1001', userid: 'kf_s1001', role: '主账号', note: '示例：主账号' },
      { row: 3, storeId: 'S1001', userid: 'kf_s1001_b', role: '备用', note: '示例：备用账号' },
    ]);
  });

  it('reads back the CSV template, which starts with a BOM', async () => {
    const buffer = await templateFile('csv');
    expect([...buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buffer.toString('utf8')).toContain(TEMPLATE_HEADERS.join(','));
    const rows = await parseImportFile(buffer, 'csv');
    expect(rows.map((r) => [r.row, r.storeId, r.userid, parseRole(r.role)])).toEqual([
      [2, 'S1001', 'kf_s1001', 'primary'],
      [3, 'S1001', 'kf_s1001_b', 'backup'],
    ]);
  });

  it('round-trips numbers as text and skips empty rows with their row numbers kept', async () => {
    const buffer = await writeSheet('xlsx', 'sheet', ['企微账号', '门店编号'], [['kf_1', 1001], [], [' kf_2 ', 'S2']]);
    expect(await parseImportFile(buffer, 'xlsx')).toEqual([
      { row: 2, storeId: '1001', userid: 'kf_1', role: '', note: '' },
      { row: 4, storeId: 'S2', userid: 'kf_2', role: '', note: '' },
    ]);
  });

  it('writes a bold, frozen header on the named sheet', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await templateFile('xlsx')) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('门店绑定');
    expect(sheet).toBeDefined();
    expect(sheet?.getRow(1).values).toEqual([undefined, ...TEMPLATE_HEADERS]);
    expect(sheet?.getRow(1).font?.bold).toBe(true);
    expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('rejects bytes that are not a workbook with unreadable_file', async () => {
    expect((await inputError(parseImportFile(Buffer.from('not a zip'), 'xlsx'))).code).toBe('unreadable_file');
  });

  it('rejects a header-only workbook with empty_file and missing columns with missing_columns', async () => {
    expect((await inputError(parseImportFile(await writeSheet('xlsx', 's', TEMPLATE_HEADERS, []), 'xlsx'))).code).toBe('empty_file');
    expect((await inputError(parseImportFile(await writeSheet('xlsx', 's', ['备注'], [['x']]), 'xlsx'))).code).toBe('missing_columns');
  });
});

describe('parseRole', () => {
  it.each([
    ['', 'primary'],
    ['  ', 'primary'],
    ['主账号', 'primary'],
    ['主', 'primary'],
    [' Primary ', 'primary'],
    ['备用', 'backup'],
    ['备用账号', 'backup'],
    ['备', 'backup'],
    ['BACKUP', 'backup'],
    ['retired', null],
    ['主账号/备用', null],
    ['副', null],
  ] as const)('%j → %s', (raw, expected) => {
    expect(parseRole(raw)).toBe(expected);
  });
});

describe('formatOf', () => {
  it('goes by the file extension in any case', () => {
    expect(formatOf('绑定.XLSX')).toBe('xlsx');
    expect(formatOf('bindings.csv')).toBe('csv');
    expect(formatOf('a.CSV')).toBe('csv');
  });

  it('falls back to the content type', () => {
    expect(formatOf('upload', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('xlsx');
    expect(formatOf('upload', 'text/csv; charset=utf-8')).toBe('csv');
  });

  it('rejects other files with unsupported_file', () => {
    for (const [name, type] of [['a.xls', undefined], ['a.txt', 'text/plain'], ['a.csv.zip', undefined], ['xlsx', undefined]] as const) {
      let error: unknown;
      try {
        formatOf(name, type);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('unsupported_file');
      expect((error as InputError).details).toEqual({ fields: { file: expect.any(String) } });
    }
  });
});
