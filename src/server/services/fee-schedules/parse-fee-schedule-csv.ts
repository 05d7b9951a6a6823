import { parse } from "csv-parse/sync";
import type { TRowError } from "@/server/services/ingestion/parse/row-error";
import { normalizePayerName } from "@/server/services/ingestion/normalize-payer-name";
import { parseDate } from "@/server/services/ingestion/parse/parse-date";
import { parseMoney } from "@/server/services/ingestion/parse/parse-money";

/**
 * A fee schedule CSV: `payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo` (header names
 * case-insensitive, snake_case accepted; modifier and effectiveTo may be blank). All or nothing:
 * the caller writes nothing when any row has an error. Messages never repeat the cell's value.
 */

export const FEE_SCHEDULE_COLUMNS = [
  { name: "payerName", required: true, description: "the payer as your claims name it (goes through payer mapping)" },
  { name: "cptCode", required: true, description: "CPT or HCPCS code, five letters or digits" },
  { name: "modifier", required: false, description: "two-character modifier, blank for the code without one" },
  { name: "rate", required: true, description: "contracted amount per unit, e.g. 112.50" },
  { name: "effectiveFrom", required: true, description: "first service date the rate applies to (YYYY-MM-DD or MM/DD/YYYY)" },
  { name: "effectiveTo", required: false, description: "last service date, blank while the rate is open-ended" },
] as const;

/** More rows than any real contract: a file beyond this is a mistake, refused before any work. */
export const MAX_FEE_SCHEDULE_ROWS = 50_000;

export interface TFeeScheduleRow {
  line: number;
  payerName: string;
  payerKey: string;
  cptCode: string;
  modifier: string;
  rate: string;
  effectiveFrom: string;
  effectiveTo: string | null;
}

export interface TParsedFeeSchedule {
  rows: TFeeScheduleRow[];
  errors: TRowError[];
}

const headerKey = (name: string) => name.trim().replace(/_/g, "").toLowerCase();
const CODE = /^[0-9A-Z]{5}$/;
const MODIFIER = /^[0-9A-Z]{2}$/;

export function parseFeeScheduleCsv(text: string): TParsedFeeSchedule {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === "number" ? (error as { lines: number }).lines : 1;
    return { rows: [], errors: [{ line, field: "row", message: "the CSV cannot be read here (check quoting)" }] };
  }
  const [head, ...body] = records.filter((item) => item.record.some((cell) => cell !== ""));
  if (!head) return { rows: [], errors: [{ line: 1, field: "file", message: "the file is empty: expected a header row and at least one rate" }] };

  const index = new Map<string, number>();
  const errors: TRowError[] = [];
  head.record.forEach((name, i) => {
    const column = FEE_SCHEDULE_COLUMNS.find((c) => headerKey(c.name) === headerKey(name));
    if (!column) errors.push({ line: head.info.lines, field: name.slice(0, 64) || `column ${i + 1}`, message: "unknown column" });
    else if (index.has(column.name)) errors.push({ line: head.info.lines, field: column.name, message: "column appears twice" });
    else index.set(column.name, i);
  });
  for (const column of FEE_SCHEDULE_COLUMNS) {
    if (column.required && !index.has(column.name)) errors.push({ line: head.info.lines, field: column.name, message: "required column missing" });
  }
  if (errors.length > 0) return { rows: [], errors };
  if (body.length === 0) return { rows: [], errors: [{ line: head.info.lines, field: "file", message: "no rates below the header" }] };
  if (body.length > MAX_FEE_SCHEDULE_ROWS) {
    return { rows: [], errors: [{ line: head.info.lines, field: "file", message: `more than ${MAX_FEE_SCHEDULE_ROWS} rates; split the schedule` }] };
  }

  const rows: TFeeScheduleRow[] = [];
  for (const { record, info } of body) {
    const line = info.lines;
    const cell = (name: string) => record[index.get(name) ?? -1]?.trim() ?? "";
    const before = errors.length;
    const fail = (field: string, message: string) => errors.push({ line, field, message });

    const payerName = cell("payerName");
    if (payerName === "") fail("payerName", "required");
    else if (payerName.length > 200) fail("payerName", "longer than 200 characters");
    const cptCode = cell("cptCode").toUpperCase();
    if (!CODE.test(cptCode)) fail("cptCode", "not a CPT or HCPCS code: five letters or digits");
    const modifier = cell("modifier").toUpperCase();
    if (modifier !== "" && !MODIFIER.test(modifier)) fail("modifier", "not a modifier: two letters or digits, or blank");
    const rate = cell("rate") === "" ? { ok: false as const, message: "required" } : parseMoney(cell("rate"));
    if (!rate.ok) fail("rate", rate.message);
    const from = cell("effectiveFrom") === "" ? { ok: false as const, message: "required" } : parseDate(cell("effectiveFrom"));
    if (!from.ok) fail("effectiveFrom", from.message);
    const to = cell("effectiveTo") === "" ? null : parseDate(cell("effectiveTo"));
    if (to && !to.ok) fail("effectiveTo", to.message);
    if (from.ok && to?.ok && to.value < from.value) fail("effectiveTo", "before effectiveFrom");
    if (errors.length > before || !rate.ok || !from.ok) continue;
    rows.push({
      line,
      payerName,
      payerKey: normalizePayerName(payerName),
      cptCode,
      modifier,
      rate: rate.value,
      effectiveFrom: from.value,
      effectiveTo: to?.ok ? to.value : null,
    });
  }
  errors.push(...overlapsWithinFile(rows));
  return { rows, errors };
}

/** Two rows of one file for the same payer, code and modifier must not overlap: which would win? */
function overlapsWithinFile(rows: readonly TFeeScheduleRow[]): TRowError[] {
  const byKey = new Map<string, TFeeScheduleRow[]>();
  for (const row of rows) {
    const key = `${row.payerKey}|${row.cptCode}|${row.modifier}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const errors: TRowError[] = [];
  for (const group of byKey.values()) {
    const sorted = [...group].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : a.line - b.line));
    for (let i = 1; i < sorted.length; i += 1) {
      const previous = sorted[i - 1]!;
      const row = sorted[i]!;
      if (previous.effectiveTo === null || previous.effectiveTo >= row.effectiveFrom) {
        errors.push({
          line: Math.max(row.line, previous.line),
          field: "effectiveFrom",
          message: `overlaps the rate on line ${Math.min(row.line, previous.line)} for the same payer, code and modifier`,
        });
      }
    }
  }
  return errors;
}
