import { z } from "zod";

/** The payer scorecard (GET /api/v1/claims/payer-summary). */

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");
const ZMoney = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .describe('Dollars as a decimal string with two places, e.g. "120.00".');

export const PAYER_SUMMARY_ORDERING = [
  "payer",
  "totalLines",
  "deniedCount",
  "denialRate",
  "denialRateChange",
  "avgAllowedAmount",
  "medianDaysToDecision",
] as const;

export const MAX_PERIOD_DAYS = 731;

/**
 * PLB reason codes (X12 5010 "Provider Adjustment Reason Code") whose positive amount is money the
 * payer takes back or withholds from the provider: WO overpayment recovery, WU unspecified
 * recovery, 72 authorized return, FB forwarding balance, J1 nonreimbursable, B3 recovery
 * allowance, OB offset for affiliated providers, L3 penalty, 50 late charge, E3 withholding,
 * IR IRS withholding, LE levy, SL student loan repayment. Their negative amounts (a balance given
 * back) are netted in. Codes that pay the provider (CT capitation, CV passthru, …) are neither.
 */
export const RECOUPMENT_REASON_CODES = ["WO", "WU", "72", "FB", "J1", "B3", "OB", "L3", "50", "E3", "IR", "LE", "SL"] as const;
/** L6 interest owed: the payer pays it (a negative PLB amount), so it is shown with the sign flipped. */
export const INTEREST_REASON_CODES = ["L6"] as const;
export const SPARKLINE_BUCKETS = 8;

export const ZPayerSummaryInput = z
  .object({
    from: ZDay.optional().describe("First decision day of the period, inclusive (default: 89 days before `to`)."),
    to: ZDay.optional().describe("Last decision day of the period, inclusive (default: today, UTC)."),
    ordering: z
      .string()
      .max(64)
      .optional()
      .describe(`One of ${PAYER_SUMMARY_ORDERING.join(", ")}; prefix with - for descending (default -totalLines).`),
    limit: z.coerce.number().int().min(1).max(500).optional().describe("At most this many payers (default 200)."),
  })
  .strict();
export type TPayerSummaryInput = z.infer<typeof ZPayerSummaryInput>;

const ZPeriodFigures = z.object({
  totalLines: z.number().int(),
  deniedCount: z.number().int(),
  denialRate: z.number().min(0).max(1).nullable(),
  avgAllowedAmount: ZMoney.nullable(),
  medianDaysToDecision: z.number().nullable(),
});

export const ZPayerSummaryRow = z.object({
  payer: z.object({ id: z.uuid(), name: z.string() }),
  totalLines: z.number().int(),
  paidCount: z.number().int().describe("Outcome PAID."),
  partialCount: z.number().int().describe("Outcome PARTIAL (paid less than allowed)."),
  deniedCount: z.number().int(),
  otherCount: z.number().int().describe("Outcome OTHER (allowed, nothing paid)."),
  denialRate: z.number().min(0).max(1).nullable().describe("denied / decided lines in the period."),
  avgAllowedAmount: ZMoney.nullable().describe("Average allowed amount of lines that have one."),
  medianDaysToDecision: z.number().nullable().describe("Median days from submission to decision."),
  previous: ZPeriodFigures.describe("The same figures for the previous period of equal length."),
  denialRateChange: z.number().nullable().describe("denialRate − previous.denialRate (fraction; 0.05 = 5 percentage points)."),
  totalLinesChange: z.number().nullable().describe("Relative change in volume vs the previous period (0.1 = +10 %)."),
  trend: z.enum(["WORSE", "BETTER", "STEADY", "NEW"]).describe("Denial rate vs the previous period: ±1 percentage point counts as steady."),
  sparkline: z
    .array(z.object({ start: ZDay, lines: z.number().int(), denialRate: z.number().min(0).max(1).nullable() }))
    .describe(`Denial rate in ${SPARKLINE_BUCKETS} equal slices of the period, oldest first.`),
  recoupmentAmount: ZMoney.describe(
    `Money this payer took back in the period with provider-level adjustments of its 835 remittances (PLB ${RECOUPMENT_REASON_CODES.join(", ")}), ` +
      'by remittance date; a balance given back in the period is netted in. "0.00" when none.',
  ),
  interestAmount: ZMoney.describe('Interest this payer paid in the period (PLB L6), by remittance date. "0.00" when none.'),
});

const ZAdjustmentMonth = z.object({
  payer: z.object({ id: z.uuid(), name: z.string() }),
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .describe("Calendar month of the remittance date, YYYY-MM."),
  recoupmentAmount: ZMoney.describe("Money taken back in the month (see recoupmentAmount of a payer row)."),
  interestAmount: ZMoney.describe("Interest paid in the month (PLB L6)."),
});

export const ZPayerSummary = z.object({
  from: ZDay,
  to: ZDay,
  previousFrom: ZDay,
  previousTo: ZDay,
  ordering: z.string(),
  items: z.array(ZPayerSummaryRow),
  truncated: z.boolean().describe("True when more payers had lines than `limit` allowed."),
  totals: ZPeriodFigures,
  adjustmentsByMonth: z
    .array(ZAdjustmentMonth)
    .describe(
      "Recoupments and interest per payer and month of the period, newest month first, then by payer name; only months with either. " +
        "Includes payers with no decided claim line in the period.",
    ),
  adjustmentTotals: z.object({ recoupmentAmount: ZMoney, interestAmount: ZMoney }).describe("Recoupments and interest of all payers in the period."),
});

export type TPayerSummary = z.infer<typeof ZPayerSummary>;
export type TPayerSummaryRow = z.infer<typeof ZPayerSummaryRow>;
