/** Data rows one import may hold. */
export const MAX_IMPORT_ROWS = 5000;

/**
 * What one import file may hold, checked while it is read (never after inflating it): a 5,000-row
 * template of four short columns is far inside every limit.
 */
export const IMPORT_LIMITS = {
  /** Rows of any kind, empty ones included, before the read stops. */
  rawRows: 4 * MAX_IMPORT_ROWS + 1_000,
  columns: 50,
  cellChars: 500,
  sharedStrings: 4 * MAX_IMPORT_ROWS + 1_000,
  zipEntries: 200,
  /** Inflated bytes per part of the XLSX zip. */
  metaBytes: 1024 * 1024,
  sharedStringBytes: 8 * 1024 * 1024,
  sheetBytes: 32 * 1024 * 1024,
} as const;

/** One row as read: its spreadsheet row number (1-based) and its cells' text. */
export interface CellRow {
  row: number;
  cells: string[];
}

/** Receives rows as they are read; returning false stops the read. */
export type RowSink = (row: CellRow) => boolean | void;
