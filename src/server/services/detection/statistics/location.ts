// Two-sample location tests for continuous metrics (PAYMENT_AMOUNT, DECISION_TIME). Sample A
// is the baseline window and sample B the current window; statistics are signed so that a
// positive value means A tends to be larger than B.
import { twoSidedNormalP } from "./distributions";
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
 * Everything the Mann–Whitney test needs from two samples: their sizes, the rank sum of sample A
 * over the pooled ranking (average ranks for ties) and the tie term, the sum over tie groups of
 * size t of t³ - t. Samples, histograms and the SQL of query-cell-metrics.ts all reduce to this,
 * so the arithmetic of the test lives once, in `mannWhitneyFromRankSum`.
 */
export interface RankSumSummary {
  nA: number;
  nB: number;
  rankSumA: number;
  tieTerm: number;
}

/**
 * The rank-sum summary of tie groups given in ascending order of value, each as its count in
 * sample A and in sample B. A group of t tied values starting after `before` values shares the
 * average rank before + (t + 1) / 2. (The SQL of query-cell-metrics.ts computes the same sums
 * with a window function; query-cell-metrics.test.ts compares the two on real data.)
 */
export function rankSumOfTieGroups(groups: Iterable<readonly [countA: number, countB: number]>): RankSumSummary {
  let nA = 0;
  let nB = 0;
  let rankSumA = 0;
  let tieTerm = 0;
  for (const [countA, countB] of groups) {
    const size = countA + countB;
    rankSumA += countA * (nA + nB + (size + 1) / 2);
    tieTerm += size ** 3 - size;
    nA += countA;
    nB += countB;
  }
  return { nA, nB, rankSumA, tieTerm };
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test, two-sided, by normal approximation with tie
 * correction and continuity correction — the same computation as R's
 * wilcox.test(a, b, exact = FALSE, correct = TRUE) — from the rank-sum summary of the samples.
 *
 * Why the approximation and not the exact distribution: claim amounts and decision days are
 * full of ties (contracted rates, whole days), the exact null distribution assumes no ties,
 * and drift cells have >= 30 lines per window where the approximation is accurate.
 * Ties shrink the variance by sum(t³ - t) / (n(n - 1)) over tie groups of size t; the
 * continuity correction moves U half a unit towards its mean because U moves in steps.
 * When every value is tied there is no ranking information at all: z = 0 and p = 1.
 * `sigma` (the tie-corrected standard deviation of U, 0 then) is returned for the Moses interval.
 */
export function mannWhitneyFromRankSum({ nA, nB, rankSumA, tieTerm }: RankSumSummary): MannWhitneyResult & { sigma: number } {
  if (nA < 1 || nB < 1) throw new RangeError("both samples need at least one value");
  const n = nA + nB;
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const meanU = (nA * nB) / 2;
  const sigma = Math.sqrt(((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // sigma is 0 only when all values are equal (or n = 2 with a tie): nothing to rank.
  if (!(sigma > 0)) return { u, z: 0, pValue: 1, sigma: 0 };
  // U - meanU moves in steps of 1/2, so the correction never overshoots past the mean.
  const deviation = u - meanU;
  const z = (deviation - Math.sign(deviation) * 0.5) / sigma;
  return { u, z, pValue: twoSidedNormalP(z), sigma };
}

/** `mannWhitneyFromRankSum` on two samples (A the baseline, B the current window). */
export function mannWhitneyU(sampleA: readonly number[], sampleB: readonly number[]): MannWhitneyResult {
  assertSample(sampleA, "sample A");
  assertSample(sampleB, "sample B");
  const pooled = [...sampleA.map((value) => ({ value, fromA: true })), ...sampleB.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  const groups: Array<[number, number]> = [];
  for (let start = 0; start < pooled.length;) {
    let end = start;
    let countA = 0;
    while (end < pooled.length && pooled[end]!.value === pooled[start]!.value) if (pooled[end++]!.fromA) countA++;
    groups.push([countA, end - start - countA]);
    start = end;
  }
  const { u, z, pValue } = mannWhitneyFromRankSum(rankSumOfTieGroups(groups));
  return { u, z, pValue };
}
