/**
 * The one cell writer of every CSV and XLSX export. A text cell that starts with `=`, `+`, `-`,
 * `@`, tab or CR is taken for a formula by Excel, WPS or LibreOffice when the file is opened (or
 * re-saved and opened again), so such text gets a leading apostrophe: shown as text, never run.
 * Numbers stay numbers; anything else becomes its text.
 */
export type SheetValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function sheetCell(value: SheetValue): string | number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === null || value === undefined) return '';
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function sheetRow(values: readonly SheetValue[]): (string | number)[] {
  return values.map(sheetCell);
}
