/**
 * CSV writing (RFC 4180): quoted when needed, CRLF line ends. Text cells that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR at the start) get a leading apostrophe; numbers
 * are written as they are.
 */
export type TCsvCell = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: TCsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  let text = value instanceof Date ? value.toISOString() : value;
  if (FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly TCsvCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
