import { describe, expect, it } from "vitest";

import { agrestiCaffoInterval, fisherExactTest, twoProportionZTest } from "./proportions";

// Published p-values are printed by R to 4 significant digits, so each assertion uses the
// precision of its source: toBeCloseTo(x, d) passes when |actual - x| < 0.5 * 10^-d.

describe("twoProportionZTest", () => {
  it("matches Pearson's chi-squared on the 3/4 vs 1/4 table (z² = X²)", () => {
    // Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 4,
    // reproduced by R package contingencytables: Pearson_chi_squared_test_2x2(rbind(c(3,1),
    // c(1,3))) -> "P = 0.15730, T = 2.000 (df = 1)".
    const { z, pValue } = twoProportionZTest(3, 4, 1, 4);
    expect(z * z).toBeCloseTo(2.0, 3);
    expect(pValue).toBeCloseTo(0.1573, 5);
    // Group 2 (current) is lower, so z is negative.
    expect(z).toBeLessThan(0);
  });

  it("matches R prop.test(c(21, 38), c(100, 100), correct = FALSE)", () => {
    // Published R output: "X-squared = 6.948, df = 1, p-value = 0.008392".
    const { z, pValue } = twoProportionZTest(21, 100, 38, 100);
    expect(z * z).toBeCloseTo(6.948, 3);
    expect(z).toBeGreaterThan(0);
    expect(pValue).toBeCloseTo(0.008392, 6);
  });

  it("matches R prop.test(c(82, 104), c(108, 143), correct = FALSE)", () => {
    // Published R output (proportions 0.7592593 and 0.7272727):
    // "X-squared = 0.32805, df = 1, p-value = 0.5668".
    const { z, pValue } = twoProportionZTest(82, 108, 104, 143);
    expect(z * z).toBeCloseTo(0.32805, 5);
    expect(pValue).toBeCloseTo(0.5668, 4);
  });

  it("handles a zero count in one group (R prop.test 5/9 vs 0/24)", () => {
    // Published R output: prop.test(c(5, 0), c(9, 24), correct = FALSE) ->
    // "X-squared = 15.714, df = 1, p-value = 7.367e-05".
    const { z, pValue } = twoProportionZTest(5, 9, 0, 24);
    expect(z * z).toBeCloseTo(15.714, 3);
    expect(pValue).toBeCloseTo(7.367e-5, 8);
  });

  it("gives z = 0 and p = 1 when both groups are all-denied or all-paid", () => {
    expect(twoProportionZTest(0, 40, 0, 35)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(40, 40, 35, 35)).toEqual({ z: 0, pValue: 1 });
  });

  it("gives p = 1 for identical proportions", () => {
    const { z, pValue } = twoProportionZTest(10, 100, 20, 200);
    expect(z).toBeCloseTo(0, 12);
    expect(pValue).toBeCloseTo(1, 12);
  });

  it("rejects impossible counts with RangeError", () => {
    expect(() => twoProportionZTest(1, 0, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(/cannot exceed/);
    expect(() => twoProportionZTest(-1, 10, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionZTest(1.5, 10, 1, 10)).toThrow(/non-negative integer/);
  });
});

describe("fisherExactTest", () => {
  it("reproduces the lady tasting tea table (3, 1, 1, 3)", () => {
    // R ?fisher.test example TeaTasting: fisher.test(TeaTasting) two-sided p-value = 0.4857
    // (exactly 34/70: the tables 3-1-1-3, 1-3-3-1, 4-0-0-4 and 0-4-4-0 count as extreme).
    expect(fisherExactTest(3, 1, 1, 3).pValue).toBeCloseTo(0.4857, 4);
    expect(fisherExactTest(3, 1, 1, 3).pValue).toBeCloseTo(34 / 70, 10);
  });

  it("reproduces R's Convictions example (Fisher 1962 twin data)", () => {
    // R ?fisher.test example: Convictions = rbind(c(2, 15), c(10, 3));
    // fisher.test(Convictions) -> "p-value = 0.0005367".
    expect(fisherExactTest(2, 15, 10, 3).pValue).toBeCloseTo(0.0005367, 7);
  });

  it("reproduces the Wikipedia dieting example", () => {
    // Wikipedia, "Fisher's exact test", Example: men 1 dieting / 11 not, women 9 / 3;
    // two-tailed p = 0.002759 (also R fisher.test on the same table).
    expect(fisherExactTest(1, 11, 9, 3).pValue).toBeCloseTo(0.002759, 6);
  });

  it("reproduces Fagerland et al. on the Ritland (2007) table with a zero cell", () => {
    // Fagerland, Lydersen & Laake (2017), ch. 4; R package contingencytables:
    // Fisher_exact_test_2x2(rbind(c(0, 16), c(15, 57))) -> "P = 0.06287".
    expect(fisherExactTest(0, 16, 15, 57).pValue).toBeCloseTo(0.06287, 5);
  });

  it("counts equally likely tables despite rounding noise (R's 1e-7 relative tolerance)", () => {
    // Worked from the definition: margins row1 = 3, col1 = col2 = 5, so
    // P(a = k) = C(5, k) C(5, 3 - k) / C(10, 3) = 10, 50, 50, 10 (/120) for k = 0..3.
    // The observed a = 0 and the mirror table a = 3 are equally likely: p = 20/120 = 1/6.
    // Their log-factorial sums differ in the last bits, so an exact comparison would miss
    // the mirror table and report 1/12.
    expect(fisherExactTest(0, 3, 5, 2).pValue).toBeCloseTo(1 / 6, 10);
    // One denial among 14 lines split 7/7: both tables have probability 1/2, so p = 1.
    expect(fisherExactTest(0, 1, 7, 6).pValue).toBeCloseTo(1, 10);
  });

  it("is invariant to swapping groups or outcomes", () => {
    const p = fisherExactTest(2, 15, 10, 3).pValue;
    expect(fisherExactTest(10, 3, 2, 15).pValue).toBeCloseTo(p, 12);
    expect(fisherExactTest(15, 2, 3, 10).pValue).toBeCloseTo(p, 12);
    expect(fisherExactTest(2, 10, 15, 3).pValue).toBeCloseTo(p, 12);
  });

  it("handles large counts without overflow", () => {
    // A symmetric table is the most likely one: every other table is at most as likely.
    expect(fisherExactTest(5000, 5000, 5000, 5000).pValue).toBeCloseTo(1, 9);
    // 200 000 lines: the exact p must agree with the z-test, which is accurate at this size.
    const exact = fisherExactTest(50_000, 51_000, 49_000, 50_500).pValue;
    const approx = twoProportionZTest(50_000, 101_000, 49_000, 99_500).pValue;
    expect(Number.isFinite(exact)).toBe(true);
    expect(exact).toBeCloseTo(approx, 2);
    // A clear shift at this size is overwhelmingly significant, and still a finite number.
    const shifted = fisherExactTest(20_000, 80_000, 26_000, 74_000).pValue;
    expect(shifted).toBeGreaterThanOrEqual(0);
    expect(shifted).toBeLessThan(1e-12);
  });

  it("returns p = 1 when a margin is empty", () => {
    expect(fisherExactTest(0, 0, 0, 0).pValue).toBe(1);
    expect(fisherExactTest(0, 30, 0, 40).pValue).toBe(1);
    expect(fisherExactTest(30, 0, 40, 0).pValue).toBe(1);
  });

  it("rejects negative or fractional cells with RangeError", () => {
    expect(() => fisherExactTest(-1, 2, 3, 4)).toThrow(RangeError);
    expect(() => fisherExactTest(1, 2.5, 3, 4)).toThrow(/cell b/);
  });
});

describe("agrestiCaffoInterval", () => {
  it("reproduces PropCIs wald2ci(7, 34, 1, 34, 0.95, adjust = 'AC') on Perondi (2004)", () => {
    // R package PropCIs: wald2ci(7, 34, 1, 34, 0.95, adjust = "AC") ->
    // conf.int 0.01161167 0.32172166 for p1 - p2 (as cited in statsmodels' test suite);
    // Fagerland, Lydersen & Laake (2017): "95% CI 0.0116 to 0.3217".
    // Our interval is for p2 - p1, so the higher-rate group goes second.
    const [low, high] = agrestiCaffoInterval(1, 34, 7, 34);
    expect(low).toBeCloseTo(0.01161167, 7);
    expect(high).toBeCloseTo(0.32172166, 7);
  });

  it("is antisymmetric in the groups", () => {
    const [low, high] = agrestiCaffoInterval(7, 34, 1, 34);
    expect(low).toBeCloseTo(-0.32172166, 7);
    expect(high).toBeCloseTo(-0.01161167, 7);
  });

  it("widens with the confidence level", () => {
    // Hand check from the definition: p̃1 = 8/36, p̃2 = 2/36, z_0.995 = 2.5758293.
    const p1 = 8 / 36;
    const p2 = 2 / 36;
    const se = Math.sqrt((p1 * (1 - p1)) / 36 + (p2 * (1 - p2)) / 36);
    const [low, high] = agrestiCaffoInterval(7, 34, 1, 34, 0.99);
    expect(low).toBeCloseTo(p2 - p1 - 2.5758293035489 * se, 8);
    expect(high).toBeCloseTo(p2 - p1 + 2.5758293035489 * se, 8);
  });

  it("stays non-degenerate with zero denials in both windows", () => {
    const [low, high] = agrestiCaffoInterval(0, 30, 0, 30);
    expect(low).toBeLessThan(0);
    expect(high).toBeGreaterThan(0);
    expect(low).toBeCloseTo(-high, 12);
  });

  it("clips to [-1, 1]", () => {
    const [low, high] = agrestiCaffoInterval(0, 1, 1, 1, 0.999);
    expect(low).toBeGreaterThanOrEqual(-1);
    expect(high).toBeLessThanOrEqual(1);
  });

  it("rejects bad confidence levels and counts with RangeError", () => {
    expect(() => agrestiCaffoInterval(1, 10, 2, 10, 1)).toThrow(RangeError);
    expect(() => agrestiCaffoInterval(1, 10, 2, 10, 0)).toThrow(/confidence/);
    expect(() => agrestiCaffoInterval(1, 0, 2, 10)).toThrow(RangeError);
  });
});
