// Two-sample location tests for continuous metrics (PAYMENT_AMOUNT, DECISION_TIME). Sample A
// is the baseline window and sample B the current window; statistics are signed so that a
// positive value means A tends to be larger than B.
import { twoSidedNormalP, twoSidedStudentTP } from "./distributions";
import { assertSample } from "./validate";

/** Median of a non-empty sample; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  assertSample(values, "median input");
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  // Indices are in range because the sample is non-empty.
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface MannWhitneyResult {
  /** Mann–Whitney U of sample A: pairs with a > b, ties counted one half (R's W). */
  u: number;
  /** Tie- and continuity-corrected normal score; positive when A tends to exceed B. */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  pValue: number;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test, two-sided, by normal approximation with tie
 * correction and continuity correction — the same computation as R's
 * wilcox.test(a, b, exact = FALSE, correct = TRUE).
 *
 * Why the approximation and not the exact distribution: claim amounts and decision days are
 * full of ties (contracted rates, whole days), the exact null distribution assumes no ties,
 * and drift cells have >= 30 lines per window where the approximation is accurate.
 * Ties shrink the variance by sum(t³ - t) / (n(n - 1)) over tie groups of size t; the
 * continuity correction moves U half a unit towards its mean because U moves in steps.
 * When every value is tied there is no ranking information at all: z = 0 and p = 1.
 */
export function mannWhitneyU(
  sampleA: readonly number[],
  sampleB: readonly number[],
): MannWhitneyResult {
  assertSample(sampleA, "sample A");
  assertSample(sampleB, "sample B");
  const nA = sampleA.length;
  const nB = sampleB.length;
  const n = nA + nB;
  const pooled = [
    ...sampleA.map((value) => ({ value, fromA: true })),
    ...sampleB.map((value) => ({ value, fromA: false })),
  ].sort((x, y) => x.value - y.value);

  // Average ranks over tie groups, collecting the tie term on the way.
  let rankSumA = 0;
  let tieTerm = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && pooled[end]!.value === pooled[start]!.value) end++;
    const size = end - start;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (pooled[i]!.fromA) rankSumA += averageRank;
    tieTerm += size ** 3 - size;
    start = end;
  }

  const u = rankSumA - (nA * (nA + 1)) / 2;
  const meanU = (nA * nB) / 2;
  const sigma = Math.sqrt(((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // sigma is 0 only when all values are equal (or n = 2 with a tie): nothing to rank.
  if (!(sigma > 0)) return { u, z: 0, pValue: 1 };
  // U - meanU moves in steps of 1/2, so the correction never overshoots past the mean.
  const deviation = u - meanU;
  const z = (deviation - Math.sign(deviation) * 0.5) / sigma;
  return { u, z, pValue: twoSidedNormalP(z) };
}

export interface WelchResult {
  /** (mean(A) - mean(B)) / sqrt(varA/nA + varB/nB). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (fractional). */
  df: number;
  /** Two-sided p-value from Student's t with df degrees of freedom. */
  pValue: number;
}

function meanAndVariance(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  // Two-pass sample variance: subtracting the mean first avoids the catastrophic
  // cancellation of the sum-of-squares formula on values with a large common offset.
  const squares = values.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, variance: squares / (values.length - 1) };
}

/**
 * Welch's unequal-variance t-test, two-sided, as R's t.test(a, b) computes it. Welch rather
 * than Student because the baseline (90 days) and current (14 days) windows differ in size
 * and their spreads cannot be assumed equal; Welch loses almost nothing when they are.
 *
 * Constant data: when the standard error vanishes relative to the means (R stops with
 * "data are essentially constant"), there is nothing to estimate. Equal means give t = 0,
 * p = 1; different means are a certain shift, t = ±Infinity, p = 0. df is then reported as
 * nA + nB - 2 because the Welch formula is 0/0.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  assertSample(a, "sample A", 2);
  assertSample(b, "sample B", 2);
  const nA = a.length;
  const nB = b.length;
  const { mean: meanA, variance: varA } = meanAndVariance(a);
  const { mean: meanB, variance: varB } = meanAndVariance(b);
  const seA = varA / nA;
  const seB = varB / nB;
  const se = Math.sqrt(seA + seB);
  const difference = meanA - meanB;

  // Same threshold as R: rounding noise in the means of constant data is ~eps * |mean|.
  const noise = 10 * Number.EPSILON * Math.max(Math.abs(meanA), Math.abs(meanB));
  if (se <= noise) {
    const df = nA + nB - 2;
    if (Math.abs(difference) <= noise) return { t: 0, df, pValue: 1 };
    return { t: difference > 0 ? Infinity : -Infinity, df, pValue: 0 };
  }
  const t = difference / se;
  const df = (seA + seB) ** 2 / (seA ** 2 / (nA - 1) + seB ** 2 / (nB - 1));
  return { t, df, pValue: twoSidedStudentTP(t, df) };
}
