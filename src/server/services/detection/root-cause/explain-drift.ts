import { dateOf, type TWindows } from "../compute-windows";
import { fisherExactTest, twoProportionZTest, twoSidedNormalP } from "../statistics";
import { findChangePoint, type TChangeModel } from "./find-change-point";
import type { TRootCause } from "./root-cause-shape";

/**
 * A drift event's root cause from its cell's aggregates (query-root-cause-aggregates.ts). Pure.
 *
 * The metric is the event's, per decided line, so that it decomposes exactly:
 *   DENIAL_RATE     1 when the line was denied          (Bernoulli)
 *   DENIAL_REASON   1 when denied with the event's CARC (Bernoulli)
 *   DECISION_TIME   days from submission to decision   (Gaussian; the mean, where the test uses the median)
 *   PAYMENT_AMOUNT  allowed per unit / the code's baseline median, paid lines only (Gaussian)
 *   UNDERPAYMENT    expected - allowed, paid lines with a fee schedule rate only (Gaussian)
 * Other types get the denial reasons only.
 *
 * - CARCs split the change in the denial rate: a CARC's share of lines moves by exactly its part
 *   (denial rate = Σ CARC shares), so for the two denial types "most of the rise is CO-197" is
 *   literal arithmetic. RARCs are shown the same way but do not add up (a line carries several).
 * - Procedures split the change in the metric M = Σ w_k m_k (w: the code's share of lines, m:
 *   its own level) into mix (w moved) and rate (m moved), centred on the mean level so that a
 *   code of average level whose volume grows explains nothing:
 *     mix_k = Δw_k (m̄_k − M̄),  rate_k = w̄_k Δm_k,  Σ_k (mix_k + rate_k) = ΔM.
 * - "Dominant" = explains at least half of the change AND its own shift is significant at a
 *   family-wise 0.001 (Bonferroni over every CARC and code), so data without a real cause names
 *   none (tested on null data).
 * - The change date: find-change-point.ts on the metric's daily series over both windows.
 */

export interface TMoments {
  n: number;
  sum: number;
  sumSq: number;
}

export interface TRootCauseWindow {
  /** Decided lines of the cell. */
  lines: number;
  denied: number;
  /** The metric over the lines where it is defined. */
  metric: TMoments;
}

export interface TRootCauseAggregates {
  baseline: TRootCauseWindow;
  current: TRootCauseWindow;
  /** Denied lines per CARC ("CO-197"). */
  carcs: Array<{ carc: string; baseline: number; current: number }>;
  /** Lines per RARC. */
  rarcs: Array<{ code: string; baseline: number; current: number }>;
  procedures: Array<{ cptCode: string; baseline: TMoments; current: TMoments }>;
  daily: Array<{ day: string } & TMoments>;
}

export interface TExplainedEvent {
  driftType: string;
  direction: "UP" | "DOWN";
  denialReason: string | null;
  windows: TWindows;
}

const LIST_LIMIT = 10;
const FAMILY_ALPHA = 0.001;
const DENIAL_TYPES = new Set(["DENIAL_RATE", "DENIAL_REASON"]);
const DAY_MS = 86_400_000;

export function metricLabel(event: Pick<TExplainedEvent, "driftType" | "denialReason">): string {
  switch (event.driftType) {
    case "DENIAL_RATE":
      return "share of lines denied";
    case "DENIAL_REASON":
      return `share of lines denied with ${event.denialReason ?? "the reason"}`;
    case "DECISION_TIME":
      return "mean days from submission to decision";
    case "PAYMENT_AMOUNT":
      return "mean allowed per unit against the code's baseline median";
    case "UNDERPAYMENT":
      return "mean variance (expected - allowed) per contracted line";
    default:
      return "not decomposed for this drift type";
  }
}

export function changeModel(driftType: string): TChangeModel {
  return DENIAL_TYPES.has(driftType) ? "BERNOULLI" : "GAUSSIAN";
}

/** z-test, or Fisher's exact test when an expected count of the 2×2 table is below 5 (as test-cell.ts). */
function proportionP(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const n = n1 + n2;
  const successes = x1 + x2;
  const minExpected = (Math.min(n1, n2) * Math.min(successes, n - successes)) / n;
  const p = minExpected < 5 ? fisherExactTest(x1, n1 - x1, x2, n2 - x2).pValue : twoProportionZTest(x1, n1, x2, n2).pValue;
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 1;
}

/** Welch z-test from moments (large samples: both windows hold at least minSample lines). */
function meanP(a: TMoments, b: TMoments): number {
  if (a.n < 2 || b.n < 2) return 1;
  const variance = (m: TMoments) => Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1));
  const se = Math.sqrt(variance(a) / a.n + variance(b) / b.n);
  const diff = b.sum / b.n - a.sum / a.n;
  if (se === 0) return diff === 0 ? 1 : 0;
  return twoSidedNormalP(diff / se);
}

const carcLabel = (c: { group: string; code: string }) => (c.group ? `${c.group}-${c.code}` : c.code);
const mean = (m: TMoments) => (m.n > 0 ? m.sum / m.n : null);
const ratio = (x: number, n: number) => (n > 0 ? x / n : 0);
const sign = (value: number) => (value > 0 ? 1 : value < 0 ? -1 : 0);

/** Items pushing the change come first; with no change, the largest movement first. */
function byContribution<T extends { contribution: number }>(items: T[], direction: number, key: (item: T) => string): T[] {
  return items.sort((x, y) => {
    const diff = direction !== 0 ? y.contribution * direction - x.contribution * direction : Math.abs(y.contribution) - Math.abs(x.contribution);
    return diff !== 0 ? diff : key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0;
  });
}

function offsetDays(from: string, day: string): number {
  return Math.round((dateOf(day).getTime() - dateOf(from).getTime()) / DAY_MS);
}

function dayAt(from: string, offset: number): string {
  return new Date(dateOf(from).getTime() + offset * DAY_MS).toISOString().slice(0, 10);
}

export function explainDrift(event: TExplainedEvent, data: TRootCauseAggregates): TRootCause {
  const { baseline: a, current: b } = data;
  const baselineValue = mean(a.metric);
  const currentValue = mean(b.metric);
  const change = baselineValue !== null && currentValue !== null ? currentValue - baselineValue : null;
  const direction = change !== null && change !== 0 ? sign(change) : event.direction === "UP" ? 1 : -1;
  const alpha = FAMILY_ALPHA / Math.max(1, data.carcs.length + data.procedures.length);

  const denialType = DENIAL_TYPES.has(event.driftType);
  const denialChange = ratio(b.denied, b.lines) - ratio(a.denied, a.lines);
  const carcs = byContribution(
    data.carcs.map(({ carc, baseline, current }) => {
      // "CO-197"; denials without a CARC come as "UNSPECIFIED" (no group).
      const dash = carc.indexOf("-");
      const group = dash > 0 ? carc.slice(0, dash) : "";
      const code = dash > 0 ? carc.slice(dash + 1) : carc;
      const baselineShare = ratio(baseline, a.lines);
      const currentShare = ratio(current, b.lines);
      const contribution = currentShare - baselineShare;
      const shareOfChange = denialType && denialChange !== 0 ? contribution / denialChange : null;
      const pValue = proportionP(baseline, a.lines, current, b.lines);
      const pushes = sign(denialChange) === (event.direction === "UP" ? 1 : -1);
      return {
        group,
        code,
        baselineLines: baseline,
        currentLines: current,
        baselineShare,
        currentShare,
        contribution,
        shareOfChange,
        pValue,
        dominant: pushes && shareOfChange !== null && shareOfChange >= 0.5 && pValue < alpha,
      };
    }),
    denialType ? sign(denialChange) : 0,
    (item) => carcLabel(item),
  );

  const rarcs = byContribution(
    data.rarcs.map(({ code, baseline, current }) => {
      const baselineShare = ratio(baseline, a.lines);
      const currentShare = ratio(current, b.lines);
      return {
        code,
        baselineLines: baseline,
        currentLines: current,
        baselineShare,
        currentShare,
        contribution: currentShare - baselineShare,
        pValue: proportionP(baseline, a.lines, current, b.lines),
      };
    }),
    denialType ? sign(denialChange) : 0,
    (item) => item.code,
  );

  const model = changeModel(event.driftType);
  const centre = ((baselineValue ?? currentValue ?? 0) + (currentValue ?? baselineValue ?? 0)) / 2;
  const procedures = byContribution(
    data.procedures
      .filter((p) => p.baseline.n > 0 || p.current.n > 0)
      .map((p) => {
        const w1 = ratio(p.baseline.n, a.metric.n);
        const w2 = ratio(p.current.n, b.metric.n);
        // A code seen in one window only keeps its level in the other: all of its part is mix.
        const m1 = mean(p.baseline) ?? mean(p.current)!;
        const m2 = mean(p.current) ?? mean(p.baseline)!;
        const mixEffect = (w2 - w1) * ((m1 + m2) / 2 - centre);
        const rateEffect = ((w1 + w2) / 2) * (m2 - m1);
        const contribution = mixEffect + rateEffect;
        const shareOfChange = change ? contribution / change : null;
        const pValue =
          Math.abs(mixEffect) >= Math.abs(rateEffect)
            ? proportionP(p.baseline.n, a.metric.n, p.current.n, b.metric.n)
            : model === "BERNOULLI"
              ? proportionP(p.baseline.sum, p.baseline.n, p.current.sum, p.current.n)
              : meanP(p.baseline, p.current);
        return {
          cptCode: p.cptCode,
          baselineLines: p.baseline.n,
          currentLines: p.current.n,
          baselineShare: w1,
          currentShare: w2,
          baselineValue: mean(p.baseline),
          currentValue: mean(p.current),
          mixEffect,
          rateEffect,
          contribution,
          shareOfChange,
          pValue,
          dominant: shareOfChange !== null && shareOfChange >= 0.5 && sign(change ?? 0) === (event.direction === "UP" ? 1 : -1) && pValue < alpha,
        };
      }),
    change !== null ? direction : 0,
    (item) => item.cptCode,
  );

  const start = event.windows.baselineStart;
  const found = findChangePoint(
    data.daily.map((d) => ({ day: offsetDays(start, d.day), n: d.n, sum: d.sum, sumSq: d.sumSq })),
    model,
  );
  const changeDate =
    found && found.significant
      ? {
          date: dayAt(start, found.day),
          low: dayAt(start, found.low),
          high: dayAt(start, found.high),
          uncertaintyDays: Math.max(found.day - found.low, found.high - found.day),
          before: found.before,
          after: found.after,
          statistic: found.statistic,
        }
      : null;

  const dominantCarc = carcs.find((c) => c.dominant);
  const dominantProcedure = procedures.find((p) => p.dominant);
  const dominant = dominantCarc
    ? { kind: "CARC" as const, code: carcLabel(dominantCarc), shareOfChange: dominantCarc.shareOfChange! }
    : dominantProcedure
      ? { kind: "PROCEDURE" as const, code: dominantProcedure.cptCode, shareOfChange: dominantProcedure.shareOfChange! }
      : null;

  return {
    metric: metricLabel(event),
    baselineValue,
    currentValue,
    change,
    denialReasons: { carcs: carcs.slice(0, LIST_LIMIT), rarcs: rarcs.slice(0, LIST_LIMIT) },
    procedures: procedures.slice(0, LIST_LIMIT),
    changeDate,
    dominant,
  };
}
