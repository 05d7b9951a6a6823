import { describe, expect, it } from "vitest";

import { mannWhitneyU, median } from "./location";

// R's mtcars: miles per gallon by transmission (am = 0 automatic, am = 1 manual).
const MTCARS_AUTOMATIC = [21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4, 14.7, 21.5, 15.5, 15.2, 13.3, 19.2];
const MTCARS_MANUAL = [21.0, 21.0, 22.8, 32.4, 30.4, 33.9, 27.3, 26.0, 30.4, 15.8, 19.7, 15.0, 21.4];

// R's sleep (Student 1908): extra hours of sleep for drug groups 1 and 2.
const SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe("median", () => {
  it("takes the middle value or the mean of the two middle values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    // R: median(mtcars$mpg) = 19.2
    expect(median([...MTCARS_AUTOMATIC, ...MTCARS_MANUAL])).toBeCloseTo(19.2, 10);
  });

  it("does not reorder its input", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it("throws RangeError on empty or non-finite input", () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([])).toThrow(/at least 1 value/);
    expect(() => median([1, Number.NaN])).toThrow(/finite/);
  });
});

describe("mannWhitneyU", () => {
  it("reproduces R wilcox.test(mpg ~ am, data = mtcars) (ties present)", () => {
    // Published R output (r-tutor.com, "Mann-Whitney-Wilcoxon Test"):
    // "W = 42, p-value = 0.001871"; p.value printed in full as 0.001871391.
    const { u, z, pValue } = mannWhitneyU(MTCARS_AUTOMATIC, MTCARS_MANUAL);
    expect(u).toBe(42);
    expect(z).toBeLessThan(0);
    expect(pValue).toBeCloseTo(0.001871391, 9);
  });

  it("reproduces R wilcox.test(extra ~ group, data = sleep)", () => {
    // Published R output: "W = 25.5, p-value = 0.06933" (continuity-corrected, ties).
    const { u, pValue } = mannWhitneyU(SLEEP_GROUP_1, SLEEP_GROUP_2);
    expect(u).toBe(25.5);
    expect(pValue).toBeCloseTo(0.06933, 5);
  });

  it("reproduces the R wilcox.test examples from endmemo.com", () => {
    // x = c(1,5,9,24,56,21,3,7,21,4); y = c(12,15,5,9,9,14,56,22,3,7,32,5):
    // "W = 51.5, p-value = 0.5966"; against y2 = c(1233,4356,987,39999,1111,200000):
    // "W = 0, p-value = 0.001364".
    const x = [1, 5, 9, 24, 56, 21, 3, 7, 21, 4];
    const y = [12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5];
    const y2 = [1233, 4356, 987, 39999, 1111, 200000];
    expect(mannWhitneyU(x, y).u).toBe(51.5);
    expect(mannWhitneyU(x, y).pValue).toBeCloseTo(0.5966, 4);
    expect(mannWhitneyU(x, y2).u).toBe(0);
    expect(mannWhitneyU(x, y2).pValue).toBeCloseTo(0.001364, 6);
  });

  it("applies the continuity correction (Hollander & Wolfe data from R ?wilcox.test)", () => {
    // x, y from R ?wilcox.test: W = 35 with no ties. R reports the uncorrected
    // one-sided p = 0.1103 (exact = FALSE, correct = FALSE), i.e. z = 10 / sigma with
    // sigma = sqrt(10 * 5 * 16 / 12); the corrected two-sided z is (10 - 0.5) / sigma.
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const sigma = Math.sqrt((10 * 5 * 16) / 12);
    const { u, z, pValue } = mannWhitneyU(x, y);
    expect(u).toBe(35);
    expect(z).toBeCloseTo(9.5 / sigma, 10);
    expect(pValue).toBeCloseTo(0.2446, 4);
    // Consistency with the published uncorrected figure: P(Z >= 10 / sigma) = 0.1103.
    expect(10 / sigma).toBeCloseTo(1.2247, 4);
  });

  it("is antisymmetric: swapping samples mirrors U and z, keeps p", () => {
    const forward = mannWhitneyU(MTCARS_AUTOMATIC, MTCARS_MANUAL);
    const backward = mannWhitneyU(MTCARS_MANUAL, MTCARS_AUTOMATIC);
    expect(backward.u).toBe(MTCARS_AUTOMATIC.length * MTCARS_MANUAL.length - forward.u);
    expect(backward.z).toBeCloseTo(-forward.z, 12);
    expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
  });

  it("gives p = 1 for identical samples", () => {
    const { u, z, pValue } = mannWhitneyU([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    expect(u).toBe(12.5);
    expect(z).toBe(0);
    expect(pValue).toBe(1);
  });

  it("gives z = 0 and p = 1 when every value is tied", () => {
    expect(mannWhitneyU([7, 7, 7], [7, 7, 7, 7])).toEqual({ u: 6, z: 0, pValue: 1 });
  });

  it("throws RangeError on empty or non-finite samples", () => {
    expect(() => mannWhitneyU([], [1, 2])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, 2], [])).toThrow(/sample B/);
    expect(() => mannWhitneyU([1, Infinity], [1, 2])).toThrow(/finite/);
  });
});
