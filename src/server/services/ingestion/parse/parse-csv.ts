import type { Readable } from "node:stream";
import type { CsvError } from "csv-parse";
import { ZClaimLineInput, type TClaimLineInput } from "./claim-line-input";
import { CSV_COLUMNS, findCsvColumn, type TCsvColumn } from "./csv-columns";
import { csvRecords, type TCsvReadState } from "./csv-records";
import { decodeTextStream, TextDecodeFailure, type TTextSource } from "./decode-text-stream";
import { fastClaimLine } from "./fast-claim-line";

export { CSV_COLUMNS, csvTemplate } from "./csv-columns";

export type TCsvLineItem = { kind: "line"; line: number; value: TClaimLineInput };
export type TCsvErrorItem = { kind: "error"; line: number; field: string; message: string };
export type TCsvItem = TCsvLineItem | TCsvErrorItem;

// A record longer than this is a missing closing quote swallowing the file, not a claim line;
// csv-parse stops there instead of buffering the rest of the upload in memory.
const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Streams claim lines out of a CSV upload, one item per data row (plus header/file errors).
 * Rows are validated as they arrive and never collected, so memory stays flat however large
 * the file; the caller decides what to do with errors (uploads apply nothing if any occur).
 * Throws only when the source itself fails (I/O); malformed content always becomes errors.
 */
export async function* parseClaimsCsv(source: TTextSource | Readable): AsyncGenerator<TCsvItem> {
  let decodeFailure: TextDecodeFailure | undefined;
  async function* text() {
    try {
      yield* decodeTextStream(source);
    } catch (error) {
      if (!(error instanceof TextDecodeFailure)) throw error;
      decodeFailure = error;
    }
  }

  // Syntax errors are collected instead of failing the stream: a failing stream drops the
  // rows it had already parsed, and those rows' own results must still be reported.
  // csvRecords reads exactly what csv-parse reads, faster for quote-free lines (csv-records.ts).
  const read: TCsvReadState = { syntaxErrors: [], lines: 1 };
  const syntaxErrors = read.syntaxErrors;

  let header: THeader | undefined;
  let dataRows = 0;
  for await (const item of csvRecords(text(), read, { maxRecordChars: MAX_RECORD_CHARS })) {
    const line = item.line;
    const syntaxError = syntaxErrors[0];
    if (syntaxError && syntaxError.line <= line) {
      // After broken quoting, where rows start is guesswork: report it and stop.
      yield csvError(syntaxError.line, "row", describeCsvError(syntaxError.error));
      return;
    }
    if (item.cells.every((cell) => cell === "")) continue; // ",,,," rows from spreadsheets
    if (!header) {
      const parsedHeader = readHeader(item.cells, line);
      if (parsedHeader.errors.length > 0) {
        yield* parsedHeader.errors;
        return; // every row would fail against a broken header; one clear report is better
      }
      header = parsedHeader.header;
      continue;
    }
    dataRows += 1;
    yield* readRow(header, item.cells, line);
  }

  if (syntaxErrors[0]) {
    yield csvError(syntaxErrors[0].line, "row", describeCsvError(syntaxErrors[0].error));
  } else if (decodeFailure) {
    yield csvError(decodeFailure.atStart ? 1 : Math.max(read.lines, 1), "file", decodeFailure.message);
  } else if (!header) {
    yield csvError(1, "file", "the file is empty: expected a header row and claim lines");
  } else if (dataRows === 0) {
    yield csvError(header.line + 1, "file", "no claim lines after the header row");
  }
}

type THeader = { line: number; columns: { column: TCsvColumn; label: string }[] };

function readHeader(cells: string[], line: number): { header?: THeader; errors: TCsvErrorItem[] } {
  const first = cells[0] ?? "";
  if (cells.length === 1 && /[;\t|]/.test(first)) {
    // The whole header in one cell: the file uses another delimiter, and listing every
    // "missing" column would bury the one fix that matters.
    return { errors: [csvError(line, first, "the file must be comma-separated (found ; tab or | instead)")] };
  }
  const errors: TCsvErrorItem[] = [];
  const columns: THeader["columns"] = [];
  const seen = new Set<string>();
  cells.forEach((label, index) => {
    const column = findCsvColumn(label);
    if (!column) {
      const message = label === "" ? "column has no header name" : `unknown column "${label}": see the CSV template`;
      errors.push(csvError(line, label || `column ${index + 1}`, message));
    } else if (seen.has(column.name)) {
      errors.push(csvError(line, label, `column ${column.name} appears more than once`));
    } else {
      seen.add(column.name);
      columns.push({ column, label });
    }
  });
  for (const column of CSV_COLUMNS) {
    if (column.required && !seen.has(column.name)) {
      errors.push(csvError(line, column.name, `missing required column ${column.name}`));
    }
  }
  return errors.length > 0 ? { errors } : { header: { line, columns }, errors };
}

function* readRow(header: THeader, cells: string[], line: number): Generator<TCsvItem> {
  // Trailing empty cells (Excel pads rows) are harmless; real extra or missing values are not.
  const extra = cells.slice(header.columns.length);
  if (cells.length < header.columns.length || extra.some((cell) => cell !== "")) {
    yield csvError(line, "row", `row has ${cells.length} fields, the header has ${header.columns.length}`);
    return;
  }
  const candidate: Record<string, string> = {};
  const columns = header.columns;
  for (let index = 0; index < columns.length; index += 1) {
    const cell = cells[index];
    if (cell !== undefined && cell !== "") candidate[columns[index]!.column.name] = cell; // empty cell = not given
  }
  // Well-formed rows skip zod (same value, see fast-claim-line.ts); the rest get its messages.
  const fast = fastClaimLine(candidate);
  if (fast !== undefined) {
    yield { kind: "line", line, value: fast };
    return;
  }
  const parsed = ZClaimLineInput.safeParse(candidate);
  if (parsed.success) {
    yield { kind: "line", line, value: parsed.data };
    return;
  }
  const labels = new Map(header.columns.map(({ column, label }) => [column.name as string, label]));
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? "row");
    // Name the column the way the user's own header spells it, so they can find it.
    yield csvError(line, labels.get(name) ?? name, issue.message);
  }
}

function describeCsvError(error: CsvError): string {
  if (error.code === "CSV_MAX_RECORD_SIZE") return "row is too long: is a closing quote missing?";
  if (error.code === "CSV_QUOTE_NOT_CLOSED") return "a quoted value is never closed";
  if (error.code === "CSV_INVALID_CLOSING_QUOTE") return "a closing quote is followed by other characters";
  return `the file is not valid CSV (${error.code})`;
}

function csvError(line: number, field: string, message: string): TCsvErrorItem {
  return { kind: "error", line, field, message };
}
