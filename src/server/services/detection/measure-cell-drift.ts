import type { TCell, TWindowCounts } from "./assemble-cells";
import { compareHistograms } from "./summarize-histograms";
import { agrestiCaffoInterval, fisherExactTest, mannWhitneyFromRankSum, normalQuantile, twoProportionZTest } from "./statistics";

/**
 * The four drift tests of PRODUCT.md §3 on one cell. Each returns the statistical result (p)
 * and the practical one (`gatePassed`); BH and the decision live in evaluate-cells.ts.
 * Signs: delta = current - baseline throughout.
 *
 * Severity (0–1) is the effect measured in units of its gate, mapped by 1 - 0.5^(effect/gate):
 * exactly at the gate 0.5, twice the gate 0.75, three times 0.875, approaching 1. The gate is the
 * tenant's own materiality threshold, so severities are comparable across drift types.
 *
 * Estimated revenue impact, dollars per month (30 days), the money at risk; 0 for favourable
 * changes. Volumes are the current window's, scaled by 30 / currentDays:
 *   DENIAL_RATE     extra denials × average allowed per paid line of the baseline
 *                   = delta × currentLines × 30/currentDays × avgAllowed
 *   DENIAL_REASON   the same with the CARC's share of denials: delta × currentDenials × …
 *   PAYMENT_AMOUNT  what the current lines would have been allowed at baseline rates, minus what
 *                   they were: currentAllowed × (-delta)/(1+delta) × 30/currentDays
 *   DECISION_TIME   monthly allowed volume pushed into a later month by the slowdown:
 *                   currentAllowed × 30/currentDays × min(1, shiftDays/30) (cash flow, not loss)
 *   UNDERPAYMENT    the rise in mean variance (expected - allowed) per contracted line, on the
 *                   current window's contracted lines: (meanVarB - meanVarA) × linesB × 30/currentDays
 */

export type TDriftType = "DENIAL_RATE" | "PAYMENT_AMOUNT" | "DECISION_TIME" | "DENIAL_REASON" | "UNDERPAYMENT";

export interface TDetectionSettings {
  minSample: number;
  fdrQ: number;
  denialRateGate: number;
  paymentDropGate: number;
  decisionTimeGateDays: number;
  reasonFromShare: number;
  reasonToShare: number;
  reasonMinCount: number;
  currentDays: number;
}

export interface TCellTest {
  payerId: string;
  cptGroup: string;
  driftType: TDriftType;
  denialReason: string | null;
  method: "two-proportion-z" | "fisher-exact" | "mann-whitney";
  baselineValue: number;
  currentValue: number;
  delta: number;
  deltaCi: [number, number];
  pValue: number;
  direction: "UP" | "DOWN";
  gatePassed: boolean;
  severity: number;
  estimatedRevenueImpact: number;
  baselineSampleSize: number;
  currentSampleSize: number;
  /** UNDERPAYMENT only: mean variance (expected - allowed) per contracted line, baseline and current. */
  meanVariance?: [number, number];
}

// Rates such as 0.15 - 0.10 are 0.04999…: gates compare with a tolerance far below any real effect.
const EPSILON = 1e-9;
const Z95 = normalQuantile(0.975);

export function severityOf(effectInGates: number): number {
  return Math.min(1, Math.max(0, 1 - 0.5 ** Math.max(0, effectInGates)));
}

const monthly = (amount: number, settings: TDetectionSettings) => (amount * 30) / settings.currentDays;
const cents = (value: number) => Math.round(Math.max(0, value) * 100) / 100;
const clampP = (p: number) => (Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 1);

function averageAllowed(cell: TCell): number {
  const source: TWindowCounts = cell.baseline.allowedCount > 0 ? cell.baseline : cell.current;
  return source.allowedCount > 0 ? source.allowedSum / source.allowedCount : 0;
}

/** z-test, or Fisher's exact test when any expected count of the 2×2 table is below 5. */
function compareProportions(x1: number, n1: number, x2: number, n2: number) {
  const n = n1 + n2;
  const successes = x1 + x2;
  const minExpected = (Math.min(n1, n2) * Math.min(successes, n - successes)) / n;
  if (minExpected < 5) return { method: "fisher-exact" as const, pValue: fisherExactTest(x1, n1 - x1, x2, n2 - x2).pValue };
  return { method: "two-proportion-z" as const, pValue: twoProportionZTest(x1, n1, x2, n2).pValue };
}

export function testDenialRate(cell: TCell, settings: TDetectionSettings): TCellTest {
  const { baseline, current } = cell;
  const p1 = baseline.denied / baseline.lines;
  const p2 = current.denied / current.lines;
  const delta = p2 - p1;
  const { method, pValue } = compareProportions(baseline.denied, baseline.lines, current.denied, current.lines);
  return {
    payerId: cell.payerId,
    cptGroup: cell.cptGroup,
    driftType: "DENIAL_RATE",
    denialReason: null,
    method,
    baselineValue: p1,
    currentValue: p2,
    delta,
    deltaCi: agrestiCaffoInterval(baseline.denied, baseline.lines, current.denied, current.lines),
    pValue: clampP(pValue),
    direction: delta >= 0 ? "UP" : "DOWN",
    gatePassed: Math.abs(delta) >= settings.denialRateGate - EPSILON,
    severity: severityOf(Math.abs(delta) / settings.denialRateGate),
    estimatedRevenueImpact: cents(monthly(delta * current.lines, settings) * averageAllowed(cell)),
    baselineSampleSize: baseline.lines,
    currentSampleSize: current.lines,
  };
}

/** One test per CARC seen among the current window's denials. */
export function testDenialReasons(cell: TCell, settings: TDetectionSettings): TCellTest[] {
  const { baseline, current } = cell;
  if (baseline.denied === 0 || current.denied === 0) return [];
  return [...current.carcs.entries()].map(([carc, x2]) => {
    const x1 = baseline.carcs.get(carc) ?? 0;
    const shareA = x1 / baseline.denied;
    const shareB = x2 / current.denied;
    const delta = shareB - shareA;
    const { method, pValue } = compareProportions(x1, baseline.denied, x2, current.denied);
    return {
      payerId: cell.payerId,
      cptGroup: cell.cptGroup,
      driftType: "DENIAL_REASON" as const,
      denialReason: carc,
      method,
      baselineValue: shareA,
      currentValue: shareB,
      delta,
      deltaCi: agrestiCaffoInterval(x1, baseline.denied, x2, current.denied),
      pValue: clampP(pValue),
      direction: delta >= 0 ? ("UP" as const) : ("DOWN" as const),
      gatePassed: shareA < settings.reasonFromShare && shareB >= settings.reasonToShare - EPSILON && x2 >= settings.reasonMinCount,
      severity: severityOf(delta / (settings.reasonToShare - settings.reasonFromShare)),
      estimatedRevenueImpact: cents(monthly(delta * current.denied, settings) * averageAllowed(cell)),
      baselineSampleSize: baseline.denied,
      currentSampleSize: current.denied,
    };
  });
}

/**
 * Allowed per unit against the baseline median of the same payer and code. Test: Mann–Whitney
 * on the ratios (ranks from SQL). delta = current median ratio / baseline median ratio - 1.
 * Interval: 95 % Welch-type normal interval for the difference in mean log ratio,
 * back-transformed to a relative change, exp(d ± 1.96·se) - 1 (both windows hold >= minSample
 * ratios, where the normal quantile is adequate). Only drops are drift (PRODUCT.md: "drop").
 */
export function testPaymentAmount(cell: TCell, settings: TDetectionSettings): TCellTest | null {
  const payment = cell.payment;
  if (!payment || payment.nA < settings.minSample || payment.nB < settings.minSample || !(Number(payment.medianA) > 0) || payment.medianB === null) return null;
  const medianA = Number(payment.medianA);
  const medianB = Number(payment.medianB);
  const delta = medianB / medianA - 1;
  const test = mannWhitneyFromRankSum({ nA: Number(payment.nA), nB: Number(payment.nB), rankSumA: Number(payment.rankSumA), tieTerm: Number(payment.tieTerm) });
  const d = Number(payment.meanLogB) - Number(payment.meanLogA);
  const se = Math.sqrt(Number(payment.varLogA ?? 0) / payment.nA + Number(payment.varLogB ?? 0) / payment.nB);
  return {
    payerId: cell.payerId,
    cptGroup: cell.cptGroup,
    driftType: "PAYMENT_AMOUNT",
    denialReason: null,
    method: "mann-whitney",
    baselineValue: medianA,
    currentValue: medianB,
    delta,
    deltaCi: [Math.expm1(d - Z95 * se), Math.expm1(d + Z95 * se)],
    pValue: clampP(test.pValue),
    direction: delta >= 0 ? "UP" : "DOWN",
    gatePassed: -delta >= settings.paymentDropGate - EPSILON,
    severity: severityOf(Math.abs(delta) / settings.paymentDropGate),
    estimatedRevenueImpact: cents(delta < 0 ? monthly(cell.current.allowedSum * (-delta / (1 + delta)), settings) : 0),
    baselineSampleSize: Number(payment.nA),
    currentSampleSize: Number(payment.nB),
  };
}

/**
 * Days from submission to decision: Mann–Whitney on the two histograms; delta = the shift of
 * the medians (the gate of PRODUCT.md), interval = Moses' interval for the Hodges–Lehmann shift,
 * widened where needed so that it contains the reported median shift (they differ by a day at most
 * on whole-day data).
 */
export function testDecisionTime(cell: TCell, settings: TDetectionSettings): TCellTest {
  const result = compareHistograms(cell.baseline.lags, cell.current.lags);
  const delta = result.medianB - result.medianA;
  return {
    payerId: cell.payerId,
    cptGroup: cell.cptGroup,
    driftType: "DECISION_TIME",
    denialReason: null,
    method: "mann-whitney",
    baselineValue: result.medianA,
    currentValue: result.medianB,
    delta,
    deltaCi: [Math.min(result.shiftCi[0], delta), Math.max(result.shiftCi[1], delta)],
    pValue: clampP(result.pValue),
    direction: delta >= 0 ? "UP" : "DOWN",
    gatePassed: Math.abs(delta) >= settings.decisionTimeGateDays - EPSILON,
    severity: severityOf(Math.abs(delta) / settings.decisionTimeGateDays),
    estimatedRevenueImpact: cents(delta > 0 ? monthly(cell.current.allowedSum, settings) * Math.min(1, delta / 30) : 0),
    baselineSampleSize: result.nA,
    currentSampleSize: result.nB,
  };
}

/**
 * Share of contracted lines allowed below expected beyond the tolerance, baseline against
 * current: the same two-proportion test as DENIAL_RATE (z, or Fisher's exact test for small
 * counts), the Agresti–Caffo interval, and the tenant's denial-rate gate as the materiality gate
 * for a share. Only a rise is drift. Needs >= minSample contracted lines in both windows.
 */
export function testUnderpayment(cell: TCell, settings: TDetectionSettings): TCellTest | null {
  const u = cell.underpayment;
  if (!u || u.baseline.lines < settings.minSample || u.current.lines < settings.minSample) return null;
  const { baseline, current } = u;
  const p1 = baseline.underpaid / baseline.lines;
  const p2 = current.underpaid / current.lines;
  const delta = p2 - p1;
  const meanA = baseline.varianceSum / baseline.lines;
  const meanB = current.varianceSum / current.lines;
  const { method, pValue } = compareProportions(baseline.underpaid, baseline.lines, current.underpaid, current.lines);
  return {
    payerId: cell.payerId,
    cptGroup: cell.cptGroup,
    driftType: "UNDERPAYMENT",
    denialReason: null,
    method,
    baselineValue: p1,
    currentValue: p2,
    delta,
    deltaCi: agrestiCaffoInterval(baseline.underpaid, baseline.lines, current.underpaid, current.lines),
    pValue: clampP(pValue),
    direction: delta >= 0 ? "UP" : "DOWN",
    gatePassed: delta >= settings.denialRateGate - EPSILON,
    severity: severityOf(Math.abs(delta) / settings.denialRateGate),
    estimatedRevenueImpact: cents(monthly((meanB - meanA) * current.lines, settings)),
    baselineSampleSize: baseline.lines,
    currentSampleSize: current.lines,
    meanVariance: [Math.round(meanA * 100) / 100, Math.round(meanB * 100) / 100],
  };
}
