import { createInflateRaw } from 'node:zlib';
import { Readable, Transform, pipeline } from 'node:stream';
import { SaxesParser } from 'saxes';
import { InputError } from '../core/errors.js';
import { IMPORT_LIMITS, type CellRow, type RowSink } from './import-limits.js';

/**
 * A bounded XLSX reader for imports: the zip's central directory is read from the upload (already
 * capped in bytes), then the workbook, its relations, the shared strings and the first sheet are
 * inflated as streams and parsed as they come. Every limit (inflated bytes per part, shared-string
 * count and length, rows, cells per row, cell length) stops the inflation where it is exceeded, so
 * a zip bomb costs what the limit allows, never what it claims. DOCTYPEs are refused, so no entity
 * is ever expanded.
 */

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

const unreadable = (detail: string) => new InputError('XLSX 文件无法解析', { file: detail }, 'unreadable_file');
const tooBig = (detail: string, code: string) => new InputError(`导入文件超出限制：${detail}`, { file: detail }, code);

function readCentralDirectory(zip: Buffer): Map<string, ZipEntry> {
  const floor = Math.max(0, zip.length - 65_557);
  let end = -1;
  for (let i = zip.length - 22; i >= floor; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw unreadable('not a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count > IMPORT_LIMITS.zipEntries) throw tooBig(`more than ${IMPORT_LIMITS.zipEntries} zip entries`, 'file_too_complex');
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) throw unreadable('broken zip directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, { name, method, compressedSize, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The entry's inflated bytes as a stream, cut off (with a 400) past `maxBytes`. */
function entryStream(zip: Buffer, entry: ZipEntry, maxBytes: number): Readable {
  const local = entry.offset;
  if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw unreadable(`broken zip entry ${entry.name}`);
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, Math.min(zip.length, start + entry.compressedSize));
  if (entry.method !== 0 && entry.method !== 8) throw unreadable(`unsupported compression in ${entry.name}`);
  const source = Readable.from([data], { objectMode: false });
  let total = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) callback(tooBig(`${entry.name} larger than ${maxBytes} bytes once unpacked`, 'file_too_large'));
      else callback(null, chunk);
    },
  });
  // pipeline: an error anywhere (or the reader stopping early) destroys every stage, none left dangling.
  const done = () => undefined;
  return entry.method === 0 ? pipeline(source, limiter, done) : pipeline(source, createInflateRaw({ chunkSize: 16 * 1024 }), limiter, done);
}

/**
 * Feeds an XML part to a saxes parser chunk by chunk; a text run longer than `maxText` characters
 * is refused before the parser buffers it.
 */
async function parseXml(stream: Readable, maxText: number, on: (parser: SaxesParser) => void): Promise<void> {
  const parser = new SaxesParser({ position: false });
  // Thrown from inside write(): nothing after the first fault reaches the handlers.
  parser.on('error', (err) => {
    throw unreadable(err.message.slice(0, 200));
  });
  parser.on('doctype', () => {
    throw unreadable('DOCTYPE is not allowed');
  });
  on(parser);
  let sinceTag = 0;
  try {
    for await (const chunk of stream) {
      const text = (chunk as Buffer).toString('utf8');
      const lastTag = text.lastIndexOf('<');
      sinceTag = lastTag < 0 ? sinceTag + text.length : text.length - lastTag;
      if (sinceTag > maxText) throw tooBig(`a cell longer than ${IMPORT_LIMITS.cellChars} characters`, 'cell_too_long');
      parser.write(text);
    }
    parser.close();
  } finally {
    stream.destroy();
  }
}

class Stop extends Error {}

function attributeOf(node: { attributes: Record<string, unknown> }, name: string): string | undefined {
  const value = node.attributes[name];
  return typeof value === 'string' ? value : undefined;
}

/** 'BC12' → 55 (1-based column of a cell reference). */
function columnOf(ref: string | undefined): number | null {
  const letters = /^([A-Z]{1,3})\d*$/.exec(ref ?? '')?.[1];
  if (!letters) return null;
  let column = 0;
  for (const ch of letters) column = column * 26 + (ch.charCodeAt(0) - 64);
  return column;
}

async function firstSheetPath(zip: Buffer, entries: Map<string, ZipEntry>): Promise<string> {
  const read = async (name: string, tags: string, pick: (attrs: Record<string, string>) => void) => {
    const entry = entries.get(name);
    if (!entry) return;
    await parseXml(entryStream(zip, entry, IMPORT_LIMITS.metaBytes), IMPORT_LIMITS.metaBytes, (p) =>
      p.on('opentag', (node) => {
        if (node.name === tags) pick(node.attributes as Record<string, string>);
      }),
    );
  };
  let relId: string | undefined;
  await read('xl/workbook.xml', 'sheet', (a) => (relId ??= a['r:id']));
  let target: string | undefined;
  await read('xl/_rels/workbook.xml.rels', 'Relationship', (a) => {
    if (a.Id === relId) target = a.Target;
  });
  if (target) {
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    if (entries.has(path)) return path;
  }
  const sheets = [...entries.keys()].filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n)).sort((a, b) => parseInt(a.slice(19), 10) - parseInt(b.slice(19), 10));
  if (!sheets.length) throw new InputError('XLSX 文件没有工作表', { file: 'no worksheet' }, 'unreadable_file');
  return sheets[0];
}

async function readSharedStrings(zip: Buffer, entries: Map<string, ZipEntry>): Promise<string[]> {
  const entry = entries.get('xl/sharedStrings.xml');
  if (!entry) return [];
  const strings: string[] = [];
  await parseXml(entryStream(zip, entry, IMPORT_LIMITS.sharedStringBytes), IMPORT_LIMITS.cellChars * 8, (p) => {
    let current: string | null = null;
    let inText = false;
    let inPhonetic = false;
    p.on('opentag', (node) => {
      if (node.name === 'si') current = '';
      else if (node.name === 'rPh') inPhonetic = true;
      else if (node.name === 't' && !inPhonetic) inText = true;
    });
    p.on('text', (text) => {
      if (!inText || current === null) return;
      current += text;
      if (current.length > IMPORT_LIMITS.cellChars) throw tooBig(`a cell longer than ${IMPORT_LIMITS.cellChars} characters`, 'cell_too_long');
    });
    p.on('closetag', (node) => {
      if (node.name === 't') inText = false;
      else if (node.name === 'rPh') inPhonetic = false;
      else if (node.name === 'si' && current !== null) {
        strings.push(current);
        current = null;
        if (strings.length > IMPORT_LIMITS.sharedStrings) throw tooBig(`more than ${IMPORT_LIMITS.sharedStrings} distinct texts`, 'file_too_complex');
      }
    });
  });
  return strings;
}

/** Reads the first sheet's rows into `sink`, which may stop the read by returning false. */
export async function readXlsxRows(zip: Buffer, sink: RowSink): Promise<void> {
  let entries: Map<string, ZipEntry>;
  try {
    entries = readCentralDirectory(zip);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw unreadable('not a zip file');
  }
  const sheetPath = await firstSheetPath(zip, entries);
  const shared = await readSharedStrings(zip, entries);
  const sheet = entries.get(sheetPath)!;
  try {
    await parseXml(entryStream(zip, sheet, IMPORT_LIMITS.sheetBytes), IMPORT_LIMITS.cellChars * 8, (p) => {
      let row: CellRow | null = null;
      let rowCount = 0;
      let cellType = '';
      let column = 0;
      let value: string | null = null;
      let collecting = false;
      p.on('opentag', (node) => {
        switch (node.name) {
          case 'row': {
            rowCount += 1;
            const number = Number(attributeOf(node, 'r'));
            row = { row: Number.isInteger(number) && number > 0 ? number : rowCount, cells: [] };
            column = 0;
            break;
          }
          case 'c': {
            cellType = attributeOf(node, 't') ?? 'n';
            column = columnOf(attributeOf(node, 'r')) ?? column + 1;
            if (column > IMPORT_LIMITS.columns) throw tooBig(`more than ${IMPORT_LIMITS.columns} columns`, 'too_many_columns');
            value = null;
            break;
          }
          case 'v':
          case 't':
            collecting = true;
            value ??= '';
            break;
        }
      });
      p.on('text', (text) => {
        if (!collecting || value === null) return;
        value += text;
        if (value.length > IMPORT_LIMITS.cellChars) throw tooBig(`a cell longer than ${IMPORT_LIMITS.cellChars} characters`, 'cell_too_long');
      });
      p.on('closetag', (node) => {
        if (node.name === 'v' || node.name === 't') collecting = false;
        else if (node.name === 'c' && row) {
          let text = value ?? '';
          if (cellType === 's') text = shared[Number(text)] ?? '';
          else if (cellType === 'b') text = text === '1' ? 'TRUE' : 'FALSE';
          while (row.cells.length < column - 1) row.cells.push('');
          row.cells[column - 1] = text.trim();
        } else if (node.name === 'row' && row) {
          const current = row;
          row = null;
          if (sink(current) === false) throw new Stop();
        }
      });
    });
  } catch (error) {
    if (error instanceof Stop) return;
    throw error;
  }
}
