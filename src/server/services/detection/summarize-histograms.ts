import { mannWhitneyFromRankSum, normalQuantile, rankSumOfTieGroups } from "./statistics";

/**
 * Two-sample statistics of an integer metric (days from submission to decision) from its
 * histograms, which Postgres returns per cell and window: a few dozen (value, count) pairs
 * instead of every line. Exact, not approximated: ranks, medians and pairwise differences of
 * integer data are fully determined by the counts.
 */
export type THistogram = ReadonlyMap<number, number>;

function sortedEntries(histogram: THistogram): Array<[number, number]> {
  return [...histogram.entries()].filter(([, count]) => count > 0).sort((x, y) => x[0] - y[0]);
}

function total(histogram: THistogram): number {
  let n = 0;
  for (const count of histogram.values()) n += count;
  return n;
}

/** The k-th smallest value (1-based) of a weighted, sorted list. */
function kth(entries: ReadonlyArray<readonly [number, number]>, k: number): number {
  let seen = 0;
  for (const [value, count] of entries) {
    seen += count;
    if (seen >= k) return value;
  }
  return entries[entries.length - 1]![0];
}

/** Median as percentile_cont(0.5) computes it: the mean of the two middle values for even n. */
export function histogramMedian(histogram: THistogram): number {
  const entries = sortedEntries(histogram);
  const n = total(histogram);
  if (n === 0) throw new RangeError("empty histogram");
  return n % 2 === 1 ? kth(entries, (n + 1) / 2) : (kth(entries, n / 2) + kth(entries, n / 2 + 1)) / 2;
}

export interface THistogramComparison {
  nA: number;
  nB: number;
  medianA: number;
  medianB: number;
  /** Mann–Whitney (tie-corrected normal approximation); z > 0 when A tends to exceed B. */
  z: number;
  pValue: number;
  /** Hodges–Lehmann estimate of the shift B - A: the median of all pairwise differences. */
  shift: number;
  /**
   * Moses' distribution-free interval for the shift B - A, the interval that goes with the
   * Mann–Whitney test: the k-th smallest and k-th largest of the nA·nB pairwise differences,
   * k = floor(nA·nB/2 - z(1-α/2)·σ_U) with the tie-corrected σ_U (Hollander & Wolfe, §4.3).
   */
  shiftCi: [number, number];
}

/** A is the baseline window, B the current one (the suffixes of the result). */
export function compareHistograms(baseline: THistogram, current: THistogram, confidence = 0.95): THistogramComparison {
  const entriesA = sortedEntries(baseline);
  const entriesB = sortedEntries(current);
  const nA = total(baseline);
  const nB = total(current);
  if (nA === 0 || nB === 0) throw new RangeError("both histograms need at least one value");

  // The pooled values in ascending order are the tie groups of the rank-sum kernel.
  const values = [...new Set([...baseline.keys(), ...current.keys()])].sort((x, y) => x - y);
  const test = mannWhitneyFromRankSum(rankSumOfTieGroups(values.map((value) => [baseline.get(value) ?? 0, current.get(value) ?? 0] as const)));

  // Distribution of the pairwise differences b - a (integers), from the two histograms.
  const differences = new Map<number, number>();
  for (const [valueA, countA] of entriesA) {
    for (const [valueB, countB] of entriesB) {
      const d = valueB - valueA;
      differences.set(d, (differences.get(d) ?? 0) + countA * countB);
    }
  }
  const sorted = [...differences.entries()].sort((x, y) => x[0] - y[0]);
  const pairs = nA * nB;
  const shift = pairs % 2 === 1 ? kth(sorted, (pairs + 1) / 2) : (kth(sorted, pairs / 2) + kth(sorted, pairs / 2 + 1)) / 2;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const k = Math.max(1, Math.floor(pairs / 2 - z * test.sigma));
  return {
    nA,
    nB,
    medianA: histogramMedian(baseline),
    medianB: histogramMedian(current),
    z: test.z,
    pValue: test.pValue,
    shift,
    shiftCi: [kth(sorted, k), kth(sorted, pairs - k + 1)],
  };
}
