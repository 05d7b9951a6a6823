// Thin wrappers around jstat's distribution functions, shaped the way the tests need them:
// two-sided tail probabilities computed directly from the tail rather than as 1 - cdf, so that
// small p-values keep their precision instead of cancelling against 1.
//
// Precision note: jstat's normal CDF is built on erf, so a lower tail below ~1e-15 loses its
// relative accuracy and reaches 0 for |z| > ~8.3, far finer than anything a q <= 0.05 gate can
// distinguish.
import jStat from "jstat";

import { assertCount } from "./validate";

/** Standard normal lower-tail probability P(Z <= z). */
export function normalCdf(z: number): number {
  return jStat.normal.cdf(z, 0, 1);
}

/** Standard normal quantile: the z with P(Z <= z) = p, for p strictly inside (0, 1). */
export function normalQuantile(p: number): number {
  // The endpoints map to ±Infinity, which no caller can use as a critical value.
  if (!(p > 0 && p < 1)) {
    throw new RangeError(`normalQuantile needs p strictly between 0 and 1, got ${p}`);
  }
  return jStat.normal.inv(p, 0, 1);
}

/** Two-sided p-value of a standard normal statistic: P(|Z| >= |z|). */
export function twoSidedNormalP(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("z statistic is NaN");
  // Evaluate the lower tail at -|z| instead of 1 - cdf(|z|) to avoid cancellation.
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/**
 * ln(n!) via jstat's log-gamma. Working in logs is what lets Fisher's test handle tables
 * with tens of thousands of lines: n! itself overflows a double beyond n = 170.
 */
export function logFactorial(n: number): number {
  assertCount(n, "logFactorial argument");
  return jStat.factorialln(n);
}
