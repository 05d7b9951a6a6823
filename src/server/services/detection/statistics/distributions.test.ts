import { describe, expect, it } from "vitest";

import { logFactorial, normalCdf, normalQuantile, twoSidedNormalP } from "./distributions";

describe("normal distribution helpers", () => {
  it("matches standard normal table values", () => {
    // Abramowitz & Stegun (1964), Table 26.1; NIST/SEMATECH e-Handbook 1.3.6.7.1:
    // Φ(1.96) = 0.9750021, Φ(-1) = 0.1586553, Φ(0) = 0.5.
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 7);
    expect(normalCdf(0)).toBeCloseTo(0.5, 12);
  });

  it("inverts the CDF at the usual critical values", () => {
    // R: qnorm(0.975) = 1.959964, qnorm(0.995) = 2.575829, qnorm(0.05) = -1.644854.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
  });

  it("rejects probabilities outside (0, 1)", () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });

  it("computes two-sided normal p-values symmetrically", () => {
    expect(twoSidedNormalP(1.959964)).toBeCloseTo(0.05, 6);
    expect(twoSidedNormalP(-1.959964)).toBeCloseTo(0.05, 6);
    expect(twoSidedNormalP(0)).toBe(1);
    expect(() => twoSidedNormalP(Number.NaN)).toThrow(RangeError);
  });
});

describe("logFactorial", () => {
  it("matches exact factorials and Stirling-scale values", () => {
    expect(logFactorial(0)).toBeCloseTo(0, 9);
    expect(logFactorial(1)).toBeCloseTo(0, 9);
    expect(logFactorial(10)).toBeCloseTo(Math.log(3628800), 9);
    // R: lfactorial(1000) = 5912.128178939938; lfactorial(1e6) = 12815518.38465817
    expect(logFactorial(1000)).toBeCloseTo(5912.128178939938, 6);
    expect(logFactorial(1_000_000)).toBeCloseTo(12815518.38465817, 4);
  });

  it("rejects negative and fractional arguments", () => {
    expect(() => logFactorial(-1)).toThrow(RangeError);
    expect(() => logFactorial(2.5)).toThrow(RangeError);
  });
});
