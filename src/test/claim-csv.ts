import type { TClaimLineInputRaw } from "@/server/services/ingestion/parse/claim-line-input";
import { CSV_COLUMNS } from "@/server/services/ingestion/parse/csv-columns";

/** Test claim lines as CSV rows or JSON batch lines, with unique claim ids per call. */

export type TTestLine = Record<string, string | number | undefined>;

let counter = 0;

export function testLine(overrides: TTestLine = {}): TTestLine {
  counter += 1;
  return {
    submitterClaimId: `CLM-${process.pid}-${Date.now()}-${counter}`,
    lineNumber: 1,
    payerName: "United Healthcare",
    cptCode: "99213",
    units: 1,
    serviceDate: "2024-03-05",
    submittedAt: "2024-03-07",
    decidedAt: "2024-03-28",
    paidAt: "2024-04-01",
    billedAmount: "150.00",
    allowedAmount: "120.00",
    paidAmount: "96.00",
    outcome: "PAID",
    ...overrides,
  };
}

function cell(value: string | number | undefined): string {
  if (value === undefined) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(lines: TTestLine[]): string {
  const names = CSV_COLUMNS.map((column) => column.name);
  return [names.join(","), ...lines.map((line) => names.map((name) => cell(line[name])).join(","))].join("\r\n") + "\r\n";
}

/** JSON batch form: undefined fields dropped. */
export function toJsonLines(lines: TTestLine[]): Record<string, string | number>[] {
  return lines.map((line) => Object.fromEntries(Object.entries(line).filter(([, value]) => value !== undefined)) as Record<string, string | number>);
}

/** One valid JSON-batch claim line, typed for in-process callers; `overrides` replace fields. */
export function claimLineInput(overrides: Partial<TClaimLineInputRaw> = {}): TClaimLineInputRaw {
  return { ...(toJsonLines([testLine()])[0] as TClaimLineInputRaw), ...overrides };
}
