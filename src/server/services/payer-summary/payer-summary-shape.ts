import { z } from "zod";

/** The payer scorecard (GET /api/v1/claims/payer-summary). */

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");
const ZMoney = z.string().regex(/^-?\d+\.\d{2}$/).describe('Dollars as a decimal string with two places, e.g. "120.00".');

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
});

export type TPayerSummary = z.infer<typeof ZPayerSummary>;
export type TPayerSummaryRow = z.infer<typeof ZPayerSummaryRow>;
