import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { InputError } from '../core/errors.js';
import { sheetRow, type SheetValue } from '../core/sheet-cells.js';
import { CONTROL_MESSAGE, isCleanLine } from '../core/text.js';
import { IMPORT_LIMITS, MAX_IMPORT_ROWS, type RowSink } from './import-limits.js';
import { readXlsxRows } from './import-xlsx.js';

export { MAX_IMPORT_ROWS };
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

/** Small slices: each is parsed in one go, so a slice is what one import may hold the event loop for. */
const SLICE_BYTES = 8 * 1024;
const ENCODING_PROBE_BYTES = 64 * 1024;

/**
 * The file's text slice by slice, yielding to other requests between slices (a large file is never
 * decoded in one go). CSV from Excel in China is often GBK: when the first slice is not UTF-8, the
 * file is read as GBK.
 */
/**
 * Decodes in slices, yielding to other requests between them. A slice that is not valid text ends
 * the stream and is recorded in `outcome` (an error thrown here would not reach the CSV parser
 * through `pipe`, and would escape as an unhandled stream error).
 */
async function* decodedSlices(buffer: Buffer, outcome: { undecodable: boolean }): AsyncGenerator<string> {
  let utf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, ENCODING_PROBE_BYTES), { stream: true });
  } catch {
    utf8 = false;
  }
  const decoder = new TextDecoder(utf8 ? 'utf-8' : 'gbk', { fatal: utf8 });
  for (let at = 0; at < buffer.length; at += SLICE_BYTES) {
    const last = at + SLICE_BYTES >= buffer.length;
    let text: string;
    try {
      text = decoder.decode(buffer.subarray(at, at + SLICE_BYTES), { stream: !last });
    } catch {
      outcome.undecodable = true;
      return;
    }
    yield text;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function readCsvRows(buffer: Buffer, sink: RowSink): Promise<void> {
  const outcome = { undecodable: false };
  const slices = decodedSlices(buffer, outcome);
  const parser = Readable.from(slices).pipe(
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false, trim: true, max_record_size: IMPORT_LIMITS.cellChars * 4 }),
  );
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      row += 1;
      if (cells.length > IMPORT_LIMITS.columns) throw new InputError(`导入文件超出限制：more than ${IMPORT_LIMITS.columns} columns`, { file: `more than ${IMPORT_LIMITS.columns} columns` }, 'too_many_columns');
      if (cells.some((c) => c.length > IMPORT_LIMITS.cellChars)) throw cellTooLong();
      if (sink({ row, cells }) === false) break;
    }
    if (outcome.undecodable) throw unreadableText();
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'CSV_MAX_RECORD_SIZE') throw cellTooLong();
    throw new InputError('CSV 文件无法解析', { file: (error as Error).message.slice(0, 200) }, 'unreadable_file');
  } finally {
    parser.destroy();
  }
}

const unreadableText = () => new InputError('CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码后重新上传', { file: 'not valid UTF-8 text' }, 'unreadable_file');
const cellTooLong = () =>
  new InputError(`导入文件超出限制：单元格最长 ${IMPORT_LIMITS.cellChars} 个字符`, { file: `a cell longer than ${IMPORT_LIMITS.cellChars} characters` }, 'cell_too_long');
const tooManyRows = () =>
  new InputError(`一次最多导入 ${MAX_IMPORT_ROWS} 行（文件超过 ${MAX_IMPORT_ROWS} 行）`, { file: `more than ${MAX_IMPORT_ROWS} rows` }, 'too_many_rows');

/**
 * Reads an import file into rows as it is parsed; 400 when columns are missing, a cell holds a
 * control character or is too long, or the file has more than 5,000 data rows (the read stops there).
 */
export async function parseImportFile(buffer: Buffer, format: ImportFormat): Promise<ImportRow[]> {
  let columns: Record<keyof typeof COLUMN_ALIASES, number> | null = null;
  const rows: ImportRow[] = [];
  let rawRows = 0;
  const cell = (cells: string[], index: number) => (index >= 0 ? (cells[index] ?? '').trim() : '');
  const sink: RowSink = ({ row, cells }) => {
    if (++rawRows > IMPORT_LIMITS.rawRows) throw tooManyRows();
    if (!cells.some((c) => c.trim() !== '')) return;
    const dirty = cells.findIndex((c) => !isCleanLine(c));
    if (dirty >= 0) throw new InputError(`第 ${row} 行含有控制字符`, { [`row ${row}`]: CONTROL_MESSAGE }, 'control_character');
    if (!columns) {
      columns = headerColumns(cells);
      return;
    }
    if (rows.length >= MAX_IMPORT_ROWS) throw tooManyRows();
    rows.push({ row, storeId: cell(cells, columns.storeId), userid: cell(cells, columns.userid), role: cell(cells, columns.role), note: cell(cells, columns.note) });
  };
  if (format === 'csv') await readCsvRows(buffer, sink);
  else await readXlsxRows(buffer, sink);
  if (!columns) throw new InputError('文件为空', { file: 'empty file' }, 'empty_file');
  if (!rows.length) throw new InputError('文件没有数据行', { file: 'no data rows' }, 'empty_file');
  return rows;
}

function headerColumns(cells: string[]): Record<keyof typeof COLUMN_ALIASES, number> {
  const header = cells.map(normaliseHeader);
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
  return columns;
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
