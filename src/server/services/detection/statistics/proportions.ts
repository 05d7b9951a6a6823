// Tests and intervals for the difference between two proportions (DENIAL_RATE and
// DENIAL_REASON drift). Convention throughout: group 1 is the baseline window, group 2 the
// current window, and every signed quantity is current minus baseline, so a positive z or a
// positive interval means the rate went up.
import { logFactorial, normalQuantile, twoSidedNormalP } from "./distributions";
import { assertCount, assertProportionCounts } from "./validate";

export interface ZTestResult {
  /** (p2 - p1) / pooled SE; positive when group 2 (current) has the higher proportion. */
  z: number;
  /** Two-sided p-value from the standard normal. */
  pValue: number;
}

/**
 * Two-sided two-proportion z-test with the pooled standard error, i.e. the score test of
 * H0: p1 = p2. Its z² equals Pearson's chi-squared statistic for the 2x2 table, which is what
 * R's prop.test(correct = FALSE) reports. The pooled SE is the one that is correct under H0;
 * the unpooled (Wald) SE belongs to the confidence interval, not the test.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ZTestResult {
  assertProportionCounts(x1, n1, "group 1");
  assertProportionCounts(x2, n2, "group 2");
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // Both groups all-success or all-failure: no variability, so no evidence of a difference.
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, pValue: twoSidedNormalP(z) };
}

// R's fisher.test treats probabilities within a relative 1e-7 of the observed one as equal,
// so that tables that are mathematically equally likely are not split by rounding noise.
const FISHER_RELATIVE_TOLERANCE = 1 + 1e-7;

/**
 * Two-sided Fisher exact test for the table
 *
 *            success  failure
 *   group 1     a        b
 *   group 2     c        d
 *
 * Conditioning on all margins, `a` is hypergeometric. The p-value sums the probabilities of
 * every table at most as likely as the observed one (the "probability" criterion R uses).
 * Probabilities are computed from log-factorials and rescaled by their maximum before
 * exponentiating, so large counts neither overflow nor underflow. A table with an empty
 * margin has a single possible arrangement and gets p = 1.
 */
export function fisherExactTest(a: number, b: number, c: number, d: number): { pValue: number } {
  assertCount(a, "cell a");
  assertCount(b, "cell b");
  assertCount(c, "cell c");
  assertCount(d, "cell d");
  const row1 = a + b;
  const col1 = a + c;
  const col2 = b + d;
  const low = Math.max(0, row1 - col2);
  const high = Math.min(row1, col1);
  if (low === high) return { pValue: 1 };

  // log P(a = k) up to a constant: ln C(col1, k) + ln C(col2, row1 - k). The constant
  // -ln C(n, row1) is dropped because the probabilities are normalised below anyway.
  const logWeight = (k: number): number => -logFactorial(k) - logFactorial(col1 - k) - logFactorial(row1 - k) - logFactorial(col2 - row1 + k);

  const logs: number[] = [];
  let maxLog = -Infinity;
  for (let k = low; k <= high; k++) {
    const value = logWeight(k);
    logs.push(value);
    if (value > maxLog) maxLog = value;
  }
  const observed = Math.exp(logWeight(a) - maxLog);
  let total = 0;
  let extreme = 0;
  for (const value of logs) {
    const weight = Math.exp(value - maxLog);
    total += weight;
    if (weight <= observed * FISHER_RELATIVE_TOLERANCE) extreme += weight;
  }
  return { pValue: Math.min(1, extreme / total) };
}

/**
 * Agresti–Caffo confidence interval for p2 - p1 (current minus baseline): add one success
 * and one failure to each group, then apply the Wald interval. Unlike the plain Wald
 * interval it keeps close to nominal coverage for small samples and for proportions near 0
 * or 1, and it never collapses to zero width when a group has 0 % or 100 % denials.
 * Agresti & Caffo (2000), The American Statistician 54(4), 280–288.
 * The bounds are clipped to [-1, 1], the range a difference of proportions can take.
 */
export function agrestiCaffoInterval(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): [low: number, high: number] {
  assertProportionCounts(x1, n1, "group 1");
  assertProportionCounts(x2, n2, "group 2");
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
  const p1 = (x1 + 1) / (n1 + 2);
  const p2 = (x2 + 1) / (n2 + 2);
  const se = Math.sqrt((p1 * (1 - p1)) / (n1 + 2) + (p2 * (1 - p2)) / (n2 + 2));
  const margin = normalQuantile(1 - (1 - confidence) / 2) * se;
  const delta = p2 - p1;
  return [Math.max(-1, delta - margin), Math.min(1, delta + margin)];
}
