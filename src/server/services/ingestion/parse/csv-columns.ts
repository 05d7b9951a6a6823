import type { TClaimLineInputRaw } from "./claim-line-input";

export type TCsvColumn = {
  name: keyof TClaimLineInputRaw;
  required: boolean;
  description: string;
  example: string;
};

/** The documented CSV columns, in template order. Names match the JSON batch API. */
export const CSV_COLUMNS: readonly TCsvColumn[] = [
  { name: "submitterClaimId", required: true, description: "Your claim id (patient control number), up to 64 characters", example: "CLM-10023" },
  { name: "lineNumber", required: true, description: "Service line number within the claim, 1 or more", example: "1" },
  { name: "payerName", required: true, description: "Payer name as you know it; mapped to catalogue payers", example: "United Healthcare" },
  { name: "cptCode", required: true, description: "CPT or HCPCS code: 99213, G0101, 0001U, 3008F", example: "99213" },
  {
    name: "modifier",
    required: false,
    description: "CPT/HCPCS modifiers, up to four, separated by ':', ',' or a space: 26, 25:59",
    example: "25",
  },
  { name: "units", required: false, description: "Units of service, greater than zero; default 1", example: "1" },
  { name: "serviceDate", required: true, description: "Date of service: YYYY-MM-DD, ISO 8601 or MM/DD/YYYY", example: "2024-03-05" },
  { name: "submittedAt", required: true, description: "Date the claim was submitted to the payer", example: "2024-03-07" },
  { name: "decidedAt", required: true, description: "Date the payer adjudicated the line; not before submittedAt", example: "2024-03-28" },
  { name: "paidAt", required: false, description: "Date payment was issued", example: "2024-04-01" },
  { name: "billedAmount", required: true, description: "Charge: 1234.50, $1,234.50; never negative", example: "$1,234.50" },
  { name: "allowedAmount", required: false, description: "Amount the payer allowed (may exceed the charge)", example: "980.00" },
  { name: "paidAmount", required: false, description: "Amount the payer paid; not more than billedAmount", example: "784.00" },
  { name: "outcome", required: true, description: "PAID, DENIED, PARTIAL or OTHER", example: "PARTIAL" },
  { name: "denialReason", required: false, description: "Main CARC as group-code, e.g. CO-50 or PR-204", example: "CO-97" },
  { name: "remarkCodes", required: false, description: "RARCs separated by comma, semicolon or space", example: "N130;MA01" },
  { name: "payerClaimNumber", required: false, description: "The payer's claim (ICN) number", example: "2024068123456" },
  { name: "patientAccount", required: false, description: "Patient account number; stored only as a keyed hash", example: "ACCT-5567" },
];

/** "Submitter_Claim_ID", "submitter claim id" and "submitterClaimId" name the same column. */
export function normaliseHeaderName(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");
}

const COLUMN_BY_NORMALISED_NAME = new Map(CSV_COLUMNS.map((column) => [normaliseHeaderName(column.name), column]));

export function findCsvColumn(header: string): TCsvColumn | undefined {
  return COLUMN_BY_NORMALISED_NAME.get(normaliseHeaderName(header));
}

/** Header plus one example row, for the downloadable template; the example row parses cleanly. */
export function csvTemplate(): string {
  const header = CSV_COLUMNS.map((column) => column.name).join(",");
  const example = CSV_COLUMNS.map((column) => quoteCsvCell(column.example)).join(",");
  return `${header}\r\n${example}\r\n`;
}

function quoteCsvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
