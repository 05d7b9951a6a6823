import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { ZRootCause, type TRootCause } from "./root-cause/root-cause-shape";

/** The drift event resource of the API (API.md "Drift event"), and the select that feeds it. */

export const ZDriftType = z.enum(["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"]);
export const ZDriftStatus = z.enum(["ACTIVE", "RESOLVED"]);

export const ZDriftEvent = z.object({
  id: z.uuid(),
  payer: z.object({ id: z.uuid(), name: z.string() }),
  cptGroup: z.string(),
  driftType: ZDriftType,
  status: ZDriftStatus,
  denialReason: z.string().nullable().describe('DENIAL_REASON only: the CARC whose share rose, e.g. "CO-197".'),
  baselineValue: z.number(),
  currentValue: z.number(),
  delta: z.number().describe("current - baseline (rates: proportion; payment: relative change; decision time: days)."),
  deltaCi: z.tuple([z.number(), z.number()]).describe("95 % confidence interval of the delta: [low, high]."),
  pValue: z.number(),
  qValue: z.number().describe("Benjamini–Hochberg adjusted p-value within its run."),
  severity: z.number().describe("0–1: 1 - 0.5^(effect / gate); 0.5 at the gate."),
  direction: z.enum(["UP", "DOWN"]),
  estimatedRevenueImpact: z.string().describe('Dollars per month at risk, decimal string ("120.00").'),
  baselineSampleSize: z.number().int(),
  currentSampleSize: z.number().int(),
  baselineStart: z.string().describe("YYYY-MM-DD, inclusive"),
  baselineEnd: z.string(),
  currentStart: z.string(),
  currentEnd: z.string(),
  consecutivePeriods: z.number().int(),
  firstDetectedAt: z.date(),
  lastDetectedAt: z.date(),
  resolvedAt: z.date().nullable(),
  firstRunId: z.string().nullable(),
  lastRunId: z.string().nullable(),
  meanVariance: z
    .object({ baseline: z.string(), current: z.string() })
    .nullable()
    .optional()
    .describe("UNDERPAYMENT only: mean variance (expected - allowed) per contracted line, dollars, baseline and current window."),
});
export type TDriftEvent = z.infer<typeof ZDriftEvent>;

export const driftEventSelect = {
  id: true,
  payer: { select: { id: true, name: true } },
  cptGroup: true,
  driftType: true,
  status: true,
  denialReason: true,
  baselineValue: true,
  currentValue: true,
  delta: true,
  deltaCiLow: true,
  deltaCiHigh: true,
  pValue: true,
  qValue: true,
  severity: true,
  direction: true,
  estimatedRevenueImpact: true,
  baselineSampleSize: true,
  currentSampleSize: true,
  baselineStart: true,
  baselineEnd: true,
  currentStart: true,
  currentEnd: true,
  consecutivePeriods: true,
  firstDetectedAt: true,
  lastDetectedAt: true,
  resolvedAt: true,
  firstRunId: true,
  lastRunId: true,
  baselineMeanVariance: true,
  currentMeanVariance: true,
} satisfies Prisma.DriftEventSelect;

type TDriftEventRow = Prisma.DriftEventGetPayload<{ select: typeof driftEventSelect }>;

const day = (value: Date) => value.toISOString().slice(0, 10);

export function toDriftEvent(row: TDriftEventRow): TDriftEvent {
  const { deltaCiLow, deltaCiHigh, baselineMeanVariance, currentMeanVariance, ...rest } = row;
  return {
    ...rest,
    meanVariance:
      baselineMeanVariance !== null && currentMeanVariance !== null
        ? { baseline: baselineMeanVariance.toFixed(2), current: currentMeanVariance.toFixed(2) }
        : null,
    deltaCi: [deltaCiLow, deltaCiHigh],
    estimatedRevenueImpact: row.estimatedRevenueImpact.toFixed(2),
    baselineStart: day(row.baselineStart),
    baselineEnd: day(row.baselineEnd),
    currentStart: day(row.currentStart),
    currentEnd: day(row.currentEnd),
  };
}

/**
 * One event as GET /drift-events/{id} returns it: with its root cause, which lists never carry
 * (it is read from the event's own row, so a list costs no extra query per event).
 */
export const ZDriftEventDetail = ZDriftEvent.extend({
  rootCause: ZRootCause.nullable().describe(
    "Why it changed and since when: denial reasons and procedures by their part in the change, and the day it began. Null for events detected before root causes were computed, until their next detection.",
  ),
});
export type TDriftEventDetail = z.infer<typeof ZDriftEventDetail>;

export const driftEventDetailSelect = { ...driftEventSelect, rootCause: true } satisfies Prisma.DriftEventSelect;

export function toDriftEventDetail(row: Prisma.DriftEventGetPayload<{ select: typeof driftEventDetailSelect }>): TDriftEventDetail {
  const { rootCause, ...event } = row;
  // Stored by an earlier version in another shape: better none than a wrong one.
  const parsed = rootCause === null ? null : ZRootCause.safeParse(rootCause);
  return { ...toDriftEvent(event), rootCause: parsed?.success ? (parsed.data as TRootCause) : null };
}
