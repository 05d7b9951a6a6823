import { twoSidedNormalP } from "./statistics";

/**
 * Mann–Whitney U from the rank sum of sample A (baseline) over the pooled samples, computed in
 * Postgres with average ranks for ties, so no sample has to come back to Node. Same formula
 * as `mannWhitneyU` in ./statistics (R's wilcox.test(exact = FALSE, correct = TRUE)): tie-
 * corrected variance, continuity correction; z is positive when A tends to exceed B.
 * `tieTerm` is the sum over tie groups of t³ - t.
 */
export interface TRankSummary {
  nA: number;
  nB: number;
  rankSumA: number;
  tieTerm: number;
}

export function mannWhitneyFromRanks({ nA, nB, rankSumA, tieTerm }: TRankSummary): { u: number; z: number; pValue: number; sigma: number } {
  if (nA < 1 || nB < 1) throw new RangeError("both samples need at least one value");
  const n = nA + nB;
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const meanU = (nA * nB) / 2;
  const sigma = Math.sqrt(((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { u, z: 0, pValue: 1, sigma: 0 };
  const deviation = u - meanU;
  const z = (deviation - Math.sign(deviation) * 0.5) / sigma;
  return { u, z, pValue: twoSidedNormalP(z), sigma };
}
