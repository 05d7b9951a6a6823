// Benjamini–Hochberg false-discovery-rate adjustment. A detection run tests every
// (payer, CPT group, drift type) cell at once; at p < 0.05 each, hundreds of cells would
// produce a steady stream of false alarms. BH controls the expected share of false events
// among those raised instead, which keeps power where Bonferroni would lose it.
import { assertProbability } from "./validate";

/**
 * BH-adjusted p-values (q-values), in the order of the input, matching R's
 * p.adjust(p, method = "BH"): q(i) = min over j >= i of p(j) * m / j on the ascending
 * ordering, capped at 1. Taking the running minimum from the largest p downwards is what
 * makes the q-values monotone in p, so "q <= 0.05" is exactly the BH step-up rejection set.
 *
 * An empty list is valid — a run in which no cell had enough data — and yields an empty list.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  pValues.forEach((p, i) => assertProbability(p, `p-value at index ${i}`));
  const m = pValues.length;
  // Ascending by p; ties keep input order (Array.prototype.sort is stable), which does not
  // affect the result because tied p-values receive equal q-values.
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i]! - pValues[j]!);
  const qValues = new Array<number>(m);
  let runningMin = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]!;
    runningMin = Math.min(runningMin, (pValues[index]! * m) / rank);
    qValues[index] = runningMin;
  }
  return qValues;
}
