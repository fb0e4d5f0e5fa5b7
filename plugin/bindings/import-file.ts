import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { InputError } from '../core/errors.js';
import { sheetRow, type SheetValue } from '../core/sheet-cells.js';

export const MAX_IMPORT_ROWS = 5000;
export type ImportFormat = 'csv' | 'xlsx';

/** One data row of an import file; `row` is the spreadsheet row number (the header is row 1). */
export interface ImportRow {
  row: number;
  storeId: string;
  userid: string;
  role: string;
  note: string;
}

/** zh-CN headers of the template; English ids are accepted too. */
export const TEMPLATE_HEADERS = ['门店编号', '企微账号', '角色(主账号/备用)', '备注'] as const;

const COLUMN_ALIASES: Record<keyof Omit<ImportRow, 'row'>, string[]> = {
  storeId: ['门店编号', '门店id', '门店代码', 'storeid', 'store'],
  userid: ['企微账号', '企业微信账号', '企微userid', 'userid', 'account'],
  role: ['角色', 'role'],
  note: ['备注', 'note', 'remark'],
};

/** `角色(主账号/备用)` → `角色`; case and spaces ignored. */
const normaliseHeader = (h: string) => h.replace(/[（(].*$/, '').replace(/\s+/g, '').toLowerCase();

export function parseRole(raw: string): 'primary' | 'backup' | null {
  const v = raw.trim().toLowerCase();
  if (['', '主账号', '主', 'primary'].includes(v)) return 'primary';
  if (['备用', '备用账号', '备', 'backup'].includes(v)) return 'backup';
  return null;
}

export function formatOf(fileName: string, contentType?: string): ImportFormat {
  if (/\.xlsx$/i.test(fileName) || contentType?.includes('spreadsheetml')) return 'xlsx';
  if (/\.csv$/i.test(fileName) || contentType?.includes('csv')) return 'csv';
  throw new InputError('只支持 CSV 或 XLSX 文件', { file: 'unsupported file type: use .csv or .xlsx' }, 'unsupported_file');
}

/** CSV from Excel in China is often GBK: fall back to it when the bytes are not UTF-8. */
function decodeText(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return new TextDecoder('gbk').decode(buffer);
  }
}

async function readCells(buffer: Buffer, format: ImportFormat): Promise<{ row: number; cells: string[] }[]> {
  if (format === 'csv') {
    let records: string[][];
    try {
      records = parseCsv(decodeText(buffer), { bom: true, relax_column_count: true, skip_empty_lines: false, trim: true }) as string[][];
    } catch (error) {
      throw new InputError('CSV 文件无法解析', { file: (error as Error).message }, 'unreadable_file');
    }
    return records.map((cells, i) => ({ row: i + 1, cells }));
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (error) {
    throw new InputError('XLSX 文件无法解析', { file: (error as Error).message }, 'unreadable_file');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new InputError('XLSX 文件没有工作表', { file: 'no worksheet' }, 'unreadable_file');
  const rows: { row: number; cells: string[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= r.cellCount; c++) cells.push(r.getCell(c).text.trim());
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}

/** Reads an import file into rows; 400 when columns are missing or it has more than 5,000 rows. */
export async function parseImportFile(buffer: Buffer, format: ImportFormat): Promise<ImportRow[]> {
  const all = await readCells(buffer, format);
  const headerIndex = all.findIndex((r) => r.cells.some((c) => c !== ''));
  if (headerIndex < 0) throw new InputError('文件为空', { file: 'empty file' }, 'empty_file');
  const header = all[headerIndex].cells.map(normaliseHeader);
  const column = (key: keyof typeof COLUMN_ALIASES) => header.findIndex((h) => COLUMN_ALIASES[key].includes(h));
  const columns = { storeId: column('storeId'), userid: column('userid'), role: column('role'), note: column('note') };
  const missing = (['storeId', 'userid'] as const).filter((k) => columns[k] < 0);
  if (missing.length) {
    throw new InputError(
      `缺少列：${missing.map((k) => (k === 'storeId' ? '门店编号' : '企微账号')).join('、')}`,
      Object.fromEntries(missing.map((k) => [k, 'missing column'])),
      'missing_columns',
    );
  }
  const cell = (cells: string[], index: number) => (index >= 0 ? (cells[index] ?? '').trim() : '');
  const rows = all
    .slice(headerIndex + 1)
    .filter((r) => r.cells.some((c) => c.trim() !== ''))
    .map((r) => ({
      row: r.row,
      storeId: cell(r.cells, columns.storeId),
      userid: cell(r.cells, columns.userid),
      role: cell(r.cells, columns.role),
      note: cell(r.cells, columns.note),
    }));
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new InputError(`一次最多导入 ${MAX_IMPORT_ROWS} 行（文件有 ${rows.length} 行）`, { file: `more than ${MAX_IMPORT_ROWS} rows` }, 'too_many_rows');
  }
  if (!rows.length) throw new InputError('文件没有数据行', { file: 'no data rows' }, 'empty_file');
  return rows;
}

/** A sheet (header + rows) as CSV (UTF-8 with BOM so Excel opens it right) or XLSX. */
export async function writeSheet(format: ImportFormat, sheetName: string, header: readonly string[], values: SheetValue[][]): Promise<Buffer> {
  const rows = values.map(sheetRow);
  if (format === 'csv') return Buffer.from('\uFEFF' + stringifyCsv([sheetRow(header), ...rows]), 'utf8');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow([...header]).font = { bold: true };
  sheet.addRows(rows);
  sheet.columns.forEach((c) => (c.width = 18));
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function templateFile(format: ImportFormat): Promise<Buffer> {
  return writeSheet(format, '门店绑定', TEMPLATE_HEADERS, [
    ['S1001', 'kf_s1001', '主账号', '示例：主账号'],
    ['S1001', 'kf_s1001_b', '备用', '示例：备用账号'],
  ]);
}

export const CONTENT_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
