import { z } from "zod";

/**
 * `rootCause` of a drift event (GET /drift-events/{id}): which denial reasons and procedures
 * moved, how much of the change each explains, and the day the change began. Computed by the
 * detection run that opened or last updated the event, for that run's windows, and stored with
 * it (explain-drift.ts).
 */

const share = z.number().min(0).max(1);

export const ZCarcShare = z.object({
  group: z.string().describe('CARC group code: "CO", "PR", "OA", "PI" or "CR"; empty for denials without a CARC.'),
  code: z.string().describe('Claim adjustment reason code, e.g. "197"; "UNSPECIFIED" for denials without a CARC.'),
  baselineLines: z.number().int().describe("Denied lines citing it in the baseline window."),
  currentLines: z.number().int(),
  baselineShare: share.describe("Share of the cell's decided lines denied with it, baseline window."),
  currentShare: share,
  contribution: z.number().describe("currentShare − baselineShare: its part of the change in the cell's denial rate (the parts add up to it)."),
  shareOfChange: z.number().nullable().describe("contribution / change in denial rate, for denial-rate and denial-reason drift; null otherwise."),
  pValue: z.number().describe("Two-sided test of its share, baseline against current."),
  dominant: z.boolean().describe("Explains at least half of the change, and its own shift is significant (Bonferroni over every item, family-wise 0.001)."),
});

export const ZRarcShare = z.object({
  code: z.string().describe('Remittance advice remark code, e.g. "N54".'),
  baselineLines: z.number().int().describe("Lines carrying it in the baseline window."),
  currentLines: z.number().int(),
  baselineShare: share.describe("Share of the cell's decided lines carrying it."),
  currentShare: share,
  contribution: z.number().describe("currentShare − baselineShare."),
  pValue: z.number(),
});

export const ZProcedureContribution = z.object({
  cptCode: z.string(),
  baselineLines: z.number().int().describe("Lines of this code that enter the metric, baseline window."),
  currentLines: z.number().int(),
  baselineShare: share.describe("Its share of the cell's lines in the metric."),
  currentShare: share,
  baselineValue: z.number().nullable().describe("The metric for this code alone (null: no such lines in the window)."),
  currentValue: z.number().nullable(),
  mixEffect: z.number().describe("Part of the change from the code's share moving: Δshare × (code's mean level − cell's mean level)."),
  rateEffect: z.number().describe("Part of the change from the code's own metric moving: mean share × Δmetric."),
  contribution: z.number().describe("mixEffect + rateEffect; the contributions of all codes add up to the change."),
  shareOfChange: z.number().nullable().describe("contribution / change (null when the change is 0)."),
  pValue: z.number().describe("Test of the larger effect: its share (mix) or its own metric (rate)."),
  dominant: z.boolean(),
});

export const ZChangeDate = z.object({
  date: z.string().describe("YYYY-MM-DD: first day observed at the new level."),
  low: z.string().describe("Earliest day the change may have begun (95 % interval)."),
  high: z.string().describe("Latest day the change may have begun (95 % interval)."),
  uncertaintyDays: z.number().int().min(0).describe("The larger distance from the date to either end of the interval: the date is ± this many days."),
  before: z.number().describe("Level of the metric before the change."),
  after: z.number().describe("Level after it."),
  statistic: z.number().describe("2 × log-likelihood ratio of the split against no change."),
});

export const ZRootCause = z
  .object({
    metric: z.string().describe("What the decomposition explains, per decided line."),
    baselineValue: z.number().nullable(),
    currentValue: z.number().nullable(),
    change: z.number().nullable().describe("currentValue − baselineValue."),
    denialReasons: z.object({
      carcs: z.array(ZCarcShare).describe("Up to 10 CARCs, those that drive the change first."),
      rarcs: z.array(ZRarcShare).describe("Up to 10 RARCs, the largest rise first."),
    }),
    procedures: z.array(ZProcedureContribution).describe("Up to 10 codes of the cell, those that drive the change first."),
    changeDate: ZChangeDate.nullable().describe(
      'When the change began, from the daily series over both windows (binary segmentation, Schwarz criterion); null when no split beats "no change".',
    ),
    dominant: z
      .object({ kind: z.enum(["CARC", "PROCEDURE"]), code: z.string().describe('"CO-197" or a CPT code.'), shareOfChange: z.number() })
      .nullable()
      .describe("The single item that explains most of the change, when there is one (a CARC before a procedure)."),
  })
  .meta({
    examples: [
      {
        metric: "share of lines denied",
        baselineValue: 0.1,
        currentValue: 0.33,
        change: 0.23,
        denialReasons: {
          carcs: [
            {
              group: "CO",
              code: "197",
              baselineLines: 9,
              currentLines: 67,
              baselineShare: 0.01,
              currentShare: 0.24,
              contribution: 0.23,
              shareOfChange: 1,
              pValue: 1e-40,
              dominant: true,
            },
            {
              group: "CO",
              code: "50",
              baselineLines: 81,
              currentLines: 25,
              baselineShare: 0.09,
              currentShare: 0.09,
              contribution: 0,
              shareOfChange: 0,
              pValue: 0.9,
              dominant: false,
            },
          ],
          rarcs: [{ code: "N54", baselineLines: 5, currentLines: 60, baselineShare: 0.0056, currentShare: 0.21, contribution: 0.2, pValue: 1e-35 }],
        },
        procedures: [
          {
            cptCode: "99214",
            baselineLines: 300,
            currentLines: 95,
            baselineShare: 0.33,
            currentShare: 0.34,
            baselineValue: 0.1,
            currentValue: 0.33,
            mixEffect: 0,
            rateEffect: 0.077,
            contribution: 0.077,
            shareOfChange: 0.33,
            pValue: 1e-8,
            dominant: false,
          },
        ],
        changeDate: { date: "2026-11-12", low: "2026-11-10", high: "2026-11-13", uncertaintyDays: 2, before: 0.1, after: 0.33, statistic: 180.4 },
        dominant: { kind: "CARC", code: "CO-197", shareOfChange: 1 },
      },
    ],
  });
export type TRootCause = z.infer<typeof ZRootCause>;
