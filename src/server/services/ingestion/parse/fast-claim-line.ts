import type { TClaimLineInput } from "./claim-line-input";

/**
 * A fast path for the common, well-formed CSV row: hand-written checks that accept a subset of
 * what ZClaimLineInput accepts and produce exactly the value it would. Anything outside that
 * subset (US dates, "$1,234.50", "0012", a failing rule, an unknown key, a non-string value)
 * returns undefined and the caller runs the full zod parse, so error messages and every
 * unusual-but-valid form stay defined by the schema alone. fast-claim-line.test.ts checks the
 * two agree on generated rows; a row this path accepts must be accepted by zod with the same
 * normalised value.
 *
 * It exists for throughput: zod with its transforms and pipes costs several microseconds a
 * row, which at a million rows dominated the upload path.
 */

const CPT_CODE = /^(?:\d{5}|[A-Z]\d{4}|\d{4}[FTU])$/;
const DENIAL_REASON = /^(CO|PR|OA|PI|CR)\s*-\s*([A-Z0-9]{1,3})$/;
const REMARK_CODE = /^[A-Z0-9]{1,6}$/;
const REMARK_SEPARATORS = /[\s,;]+/;
const MODIFIER = /^[0-9A-Z]{2}$/;
const MODIFIER_SEPARATORS = /[\s,;:]+/;
const MAX_MODIFIERS = 4;
// Plain whole numbers and plain amounts with exactly two decimals, no leading zeros.
const PLAIN_INTEGER = /^[1-9]\d{0,9}$/;
const PLAIN_AMOUNT = /^(?:0|[1-9]\d{0,9})(?:\.\d\d)?$/;
const PLAIN_UNITS = /^(?:0|[1-9]\d{0,7})(?:\.\d{1,2})?$/;
const MAX_LINE_NUMBER = 2_147_483_647;
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const KEYS = new Set([
  "submitterClaimId",
  "lineNumber",
  "payerName",
  "cptCode",
  "modifier",
  "units",
  "serviceDate",
  "submittedAt",
  "decidedAt",
  "paidAt",
  "billedAmount",
  "allowedAmount",
  "paidAmount",
  "outcome",
  "denialReason",
  "remarkCodes",
  "payerClaimNumber",
  "patientAccount",
]);

/** trim + length bounds + no control characters (\p{Cc}: U+0000–U+001F, U+007F–U+009F). */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > max) return undefined;
  for (let i = 0; i < trimmed.length; i += 1) {
    const code = trimmed.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return undefined;
  }
  return trimmed;
}

function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/** YYYY-MM-DD only (already canonical); other accepted forms go through parseDate via zod. */
function isoDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const date = value.length === 10 ? value : value.trim();
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return undefined;
  const y0 = digit(date, 0);
  const y1 = digit(date, 1);
  const y2 = digit(date, 2);
  const y3 = digit(date, 3);
  const m0 = digit(date, 5);
  const m1 = digit(date, 6);
  const d0 = digit(date, 8);
  const d1 = digit(date, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return undefined;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = m0 * 10 + m1;
  const day = d0 * 10 + d1;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!;
  return day <= days ? date : undefined;
}

function amount(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (!PLAIN_AMOUNT.test(trimmed)) return undefined;
  return trimmed.includes(".") ? trimmed : `${trimmed}.00`;
}

/** Integer cents of a canonical amount ("123.45"): exact, at most 12 digits. */
function cents(canonical: string): number {
  const dot = canonical.length - 3;
  return Number(canonical.slice(0, dot)) * 100 + Number(canonical.slice(dot + 1));
}

function remarkCodes(value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const seen = new Set<string>();
  for (const part of value.split(REMARK_SEPARATORS)) {
    const code = part.trim().toUpperCase();
    if (code === "") continue;
    if (!REMARK_CODE.test(code)) return undefined;
    seen.add(code);
  }
  if (seen.size > 50) return undefined;
  return [...seen];
}

/** Stored form of a modifier cell ("25:59"); undefined when zod must decide (and will refuse). */
function modifier(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const seen = new Set<string>();
  for (const part of value.split(MODIFIER_SEPARATORS)) {
    const code = part.trim().toUpperCase();
    if (code === "") continue;
    if (!MODIFIER.test(code)) return undefined;
    seen.add(code);
  }
  if (seen.size > MAX_MODIFIERS) return undefined;
  return [...seen].join(":");
}

/**
 * The normalised line when the row is in the fast subset and valid; undefined means "ask zod"
 * (which may still accept it, or reports the errors).
 */
export function fastClaimLine(input: Record<string, unknown>): TClaimLineInput | undefined {
  for (const key in input) {
    if (!KEYS.has(key) || input[key] === undefined) return undefined;
  }
  const submitterClaimId = text(input.submitterClaimId, 64);
  const payerName = text(input.payerName, 200);
  if (submitterClaimId === undefined || payerName === undefined) return undefined;

  const lineText = input.lineNumber;
  if (typeof lineText !== "string") return undefined;
  const lineTrimmed = lineText.trim();
  if (!PLAIN_INTEGER.test(lineTrimmed)) return undefined;
  const lineNumber = Number(lineTrimmed);
  if (lineNumber > MAX_LINE_NUMBER) return undefined;

  if (typeof input.cptCode !== "string") return undefined;
  const cptCode = input.cptCode.trim().toUpperCase();
  if (!CPT_CODE.test(cptCode)) return undefined;

  let units = 1;
  if (input.units !== undefined) {
    if (typeof input.units !== "string") return undefined;
    const unitsText = input.units.trim();
    if (!PLAIN_UNITS.test(unitsText)) return undefined;
    units = Number(unitsText);
    if (!(units > 0)) return undefined;
  }

  const serviceDate = isoDate(input.serviceDate);
  const submittedAt = isoDate(input.submittedAt);
  const decidedAt = isoDate(input.decidedAt);
  if (serviceDate === undefined || submittedAt === undefined || decidedAt === undefined) return undefined;
  if (decidedAt < submittedAt) return undefined;

  const billedAmount = amount(input.billedAmount);
  if (billedAmount === undefined) return undefined;

  if (typeof input.outcome !== "string") return undefined;
  const outcome = input.outcome.trim().toUpperCase();
  if (outcome !== "PAID" && outcome !== "DENIED" && outcome !== "PARTIAL" && outcome !== "OTHER") return undefined;

  const line: TClaimLineInput = {
    submitterClaimId,
    lineNumber,
    payerName,
    cptCode,
    units,
    serviceDate,
    submittedAt,
    decidedAt,
    billedAmount,
    outcome,
  };

  if (input.modifier !== undefined) {
    const modifiers = modifier(input.modifier);
    if (modifiers === undefined) return undefined;
    line.modifier = modifiers;
  }
  if (input.paidAt !== undefined) {
    const paidAt = isoDate(input.paidAt);
    if (paidAt === undefined) return undefined;
    line.paidAt = paidAt;
  }
  if (input.allowedAmount !== undefined) {
    const allowedAmount = amount(input.allowedAmount);
    if (allowedAmount === undefined) return undefined;
    line.allowedAmount = allowedAmount;
  }
  if (input.paidAmount !== undefined) {
    const paidAmount = amount(input.paidAmount);
    if (paidAmount === undefined || cents(paidAmount) > cents(billedAmount)) return undefined;
    line.paidAmount = paidAmount;
  }
  if (input.denialReason !== undefined) {
    if (typeof input.denialReason !== "string") return undefined;
    const match = DENIAL_REASON.exec(input.denialReason.trim().toUpperCase());
    if (!match?.[1] || !match[2]) return undefined;
    line.denialReason = { group: match[1] as NonNullable<TClaimLineInput["denialReason"]>["group"], code: match[2] };
  }
  if (input.remarkCodes !== undefined) {
    const codes = remarkCodes(input.remarkCodes);
    if (codes === undefined) return undefined;
    line.remarkCodes = codes;
  }
  if (input.payerClaimNumber !== undefined) {
    const payerClaimNumber = text(input.payerClaimNumber, 64);
    if (payerClaimNumber === undefined) return undefined;
    line.payerClaimNumber = payerClaimNumber;
  }
  if (input.patientAccount !== undefined) {
    const patientAccount = text(input.patientAccount, 64);
    if (patientAccount === undefined) return undefined;
    line.patientAccount = patientAccount;
  }
  return line;
}
