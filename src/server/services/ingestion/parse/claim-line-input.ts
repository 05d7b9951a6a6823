import { z } from "zod";
import { parseDate } from "./parse-date";
import { moneyToCents, parseMoney } from "./parse-money";
import type { TParseResult } from "./row-error";

export { parseDate } from "./parse-date";
export { parseMoney } from "./parse-money";

/**
 * One normalised claim line: what CSV rows, X12 835 service lines and the JSON batch API all
 * produce before anything touches the database, so every way in obeys the same rules.
 */

export const CLAIM_OUTCOMES = ["PAID", "DENIED", "PARTIAL", "OTHER"] as const;
export const CARC_GROUPS = ["CO", "PR", "OA", "PI", "CR"] as const;

// CPT Category I (5 digits), HCPCS Level II (letter + 4 digits), and the 4-digit + letter CPT
// codes: Category II (F), Category III (T) and Proprietary Laboratory Analyses (U).
const CPT_CODE = /^(?:\d{5}|[A-Z]\d{4}|\d{4}[FTU])$/;
// CARC reason codes are 1..3 characters: numeric (50, 197) or letter-led (A1, B7, P12).
const DENIAL_REASON = /^(CO|PR|OA|PI|CR)\s*-\s*([A-Z0-9]{1,3})$/;
// RARCs look like N130, MA01, M15; anything longer is a mis-split list, not a code.
const REMARK_CODE = /^[A-Z0-9]{1,6}$/;
// A CPT/HCPCS modifier is two letters or digits: 26, TC, LT, 59, XU, GA.
const MODIFIER = /^[0-9A-Z]{2}$/;
/** Modifiers per line: the 835 SVC01 composite and the CMS-1500 box 24D carry up to four. */
export const MAX_MODIFIERS = 4;
// The database column is a 32-bit integer.
const MAX_LINE_NUMBER = 2_147_483_647;

// Control characters (a newline inside a quoted CSV cell, a stray NUL) make ids that never
// match anything again, so they are refused rather than stored.
const trimmedText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .regex(/^\P{Cc}*$/u, "must not contain control characters");

/** Wraps a TParseResult-style parser as a schema so its reason becomes the issue message. */
function fromParser<I extends string | number, T>(base: z.ZodType<I>, parse: (input: I) => TParseResult<T>) {
  return base.transform((input, ctx) => {
    const result = parse(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.message });
    return z.NEVER;
  });
}

const textOrNumber = (expected: string) => z.union([z.string(), z.number()], { error: `expected ${expected}` });

// Numbers arrive as text from CSV and as numbers from JSON; both mean the same thing.
function parseNumber(input: string | number): TParseResult<number> {
  const value = typeof input === "number" ? input : input.trim() === "" ? Number.NaN : Number(input.trim());
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: "not a number" };
}

const ZMoney = fromParser(textOrNumber("a money amount"), parseMoney);
const ZDate = fromParser(z.string({ error: "expected a date as text" }), parseDate);

const ZLineNumber = fromParser(textOrNumber("a line number"), parseNumber).pipe(
  z.number().int("line number must be a whole number").min(1, "line number must be 1 or more").max(MAX_LINE_NUMBER, "line number is too large"),
);

// Fractional units are real (drug units, anesthesia time), so only positivity is enforced.
const ZUnits = fromParser(textOrNumber("a number of units"), parseNumber)
  .pipe(z.number().positive("units must be greater than zero"))
  .optional()
  .transform((units) => units ?? 1);

/** True for a CPT/HCPCS code as stored (upper case); the pattern is anchored and of bounded length. */
export function isCptCode(code: string): boolean {
  return code.length <= 5 && CPT_CODE.test(code);
}

const ZCptCode = z.string().trim().toUpperCase().regex(CPT_CODE, "not a CPT/HCPCS code: 5 digits, a letter + 4 digits, or 4 digits + F/T/U");

const ZOutcome = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(z.enum(CLAIM_OUTCOMES, { error: "outcome must be PAID, DENIED, PARTIAL or OTHER" }));

const ZDenialReason = z
  .string()
  .trim()
  .toUpperCase()
  .transform((text, ctx) => {
    const match = DENIAL_REASON.exec(text);
    if (match?.[1] && match[2]) {
      return { group: match[1] as (typeof CARC_GROUPS)[number], code: match[2] };
    }
    ctx.addIssue({ code: "custom", message: 'denial reason must look like "CO-50" (group CO/PR/OA/PI/CR, dash, reason code)' });
    return z.NEVER;
  });

// CSV cells hold a list as "N130, MA01"; JSON may send an array. Order is kept, repeats dropped.
const ZRemarkCodes = z
  .union([z.string(), z.array(z.string())], { error: "expected remark codes as a list or a separated string" })
  .transform((input) => {
    const parts = (Array.isArray(input) ? input : input.split(/[\s,;]+/)).map((code) => code.trim().toUpperCase()).filter((code) => code !== "");
    return [...new Set(parts)];
  })
  .pipe(z.array(z.string().regex(REMARK_CODE, "not a remark code (RARC)")).max(50));

/**
 * Modifiers as stored (claim_lines.modifier): upper case, in billed order, repeats dropped, joined
 * by ':' like the 835 composite ("26", "25:59"); "" = none. CSV cells separate them by ':', ',',
 * ';' or spaces ("25 59", "25,59"); JSON may also send an array.
 */
export const ZModifier = z.union([z.string(), z.array(z.string())], { error: "expected modifiers as text or a list" }).transform((input, ctx) => {
  const parts = (Array.isArray(input) ? input : input.split(/[\s,;:]+/)).map((code) => code.trim().toUpperCase()).filter((code) => code !== "");
  const codes = [...new Set(parts)];
  // Reported on the field itself, not on an index of the split text the caller never sent.
  if (!codes.every((code) => MODIFIER.test(code))) {
    ctx.addIssue({ code: "custom", message: "a modifier is two letters or digits, e.g. 26, TC or LT" });
    return z.NEVER;
  }
  if (codes.length > MAX_MODIFIERS) {
    ctx.addIssue({ code: "custom", message: `at most ${MAX_MODIFIERS} modifiers` });
    return z.NEVER;
  }
  return codes.join(":");
});

const CLAIM_LINE_SHAPE = {
  submitterClaimId: trimmedText(1, 64),
  lineNumber: ZLineNumber,
  payerName: trimmedText(1, 200),
  cptCode: ZCptCode,
  modifier: ZModifier.optional().describe(
    'CPT/HCPCS modifiers, up to four two-character codes in billed order: "26", "25:59", "25 59" or ["25", "59"]; stored as "25:59".',
  ),
  units: ZUnits,
  serviceDate: ZDate,
  submittedAt: ZDate,
  decidedAt: ZDate,
  paidAt: ZDate.optional(),
  billedAmount: ZMoney,
  allowedAmount: ZMoney.optional(),
  paidAmount: ZMoney.optional(),
  outcome: ZOutcome,
  denialReason: ZDenialReason.optional(),
  remarkCodes: ZRemarkCodes.optional(),
  payerClaimNumber: trimmedText(1, 64).optional(),
  patientAccount: trimmedText(1, 64).optional(),
};

function paidWithinBilled(line: { paidAmount?: string; billedAmount: string }, ctx: z.RefinementCtx) {
  if (line.paidAmount !== undefined && moneyToCents(line.paidAmount) > moneyToCents(line.billedAmount)) {
    ctx.addIssue({ code: "custom", path: ["paidAmount"], message: "paid amount is more than the billed amount" });
  }
  // allowedAmount > billedAmount is deliberately allowed: some fee schedules pay above charges.
}

export const ZClaimLineInput = z.strictObject(CLAIM_LINE_SHAPE).superRefine((line, ctx) => {
  // YYYY-MM-DD strings order the same way the dates do.
  if (line.decidedAt < line.submittedAt) {
    ctx.addIssue({ code: "custom", path: ["decidedAt"], message: "decision date is before the submission date" });
  }
  paidWithinBilled(line, ctx);
});

/**
 * A line read from an X12 835: the payer's document, not the caller's, so it admits what real
 * remittances carry. Units may be 0 (denied lines; SVC05 absent means 1, as the 835 guide says).
 * submittedAt is null when the file's dates contradict each other (received after the decision,
 * served after the decision): the line is kept, its decision lag is left out of statistics.
 * cptCode is null on a claim-level line (a claim adjudicated without SVC lines), which is
 * grouped as CLAIM_LEVEL. submittedCptCode is SVC06 (the code as billed, when the payer
 * adjudicated another): a recode is itself a signal.
 */
export const ZRemittanceLine = z
  .strictObject({
    ...CLAIM_LINE_SHAPE,
    cptCode: ZCptCode.nullable(),
    units: fromParser(textOrNumber("a number of units"), parseNumber)
      .pipe(z.number().min(0, "units must not be negative"))
      .optional()
      .transform((units) => units ?? 1),
    submittedAt: ZDate.nullable(),
    submittedCptCode: ZCptCode.optional(),
    facilityType: z
      .string()
      .trim()
      .regex(/^[A-Z0-9]{1,2}$/i, "not a facility type code (CLP08)")
      .optional(),
    payerIdentifier: trimmedText(1, 80).optional(),
  })
  .superRefine(paidWithinBilled);

export type TRemittanceLine = z.output<typeof ZRemittanceLine>;
export type TRemittanceLineRaw = z.input<typeof ZRemittanceLine>;

/** What the writer stages: a line from any way in. */
export type TStagedLine = Omit<TClaimLineInput, "cptCode" | "submittedAt"> &
  Partial<Pick<TRemittanceLine, "submittedCptCode" | "facilityType" | "payerIdentifier">> & {
    cptCode: string | null;
    submittedAt: string | null;
  };

export type TClaimLineInput = z.output<typeof ZClaimLineInput>;
/** What callers may send (numbers or strings, any accepted date form). */
export type TClaimLineInputRaw = z.input<typeof ZClaimLineInput>;
