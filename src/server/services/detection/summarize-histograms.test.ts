import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mannWhitneyU, median } from "./statistics";
import { compareHistograms, histogramMedian } from "./summarize-histograms";

/**
 * The histogram summaries must agree exactly with the sample-based reference implementation
 * (./statistics, itself checked against R). The SQL's rank sums are compared with it on real
 * data in query-cell-metrics.test.ts.
 */
function histogram(values: number[]): Map<number, number> {
  const map = new Map<number, number>();
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
  return map;
}

const sample = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 80 });

describe("compareHistograms", () => {
  it("matches the sample statistics and the brute-force Hodges–Lehmann shift", () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const result = compareHistograms(histogram(a), histogram(b));
        const reference = mannWhitneyU(a, b);
        expect(result.pValue).toBeCloseTo(reference.pValue, 9);
        expect(result.medianA).toBe(median(a));
        expect(result.medianB).toBe(median(b));
        const differences = a.flatMap((x) => b.map((y) => y - x));
        expect(result.shift).toBe(median(differences));
        expect(result.shiftCi[0]).toBeLessThanOrEqual(result.shift);
        expect(result.shiftCi[1]).toBeGreaterThanOrEqual(result.shift);
      }),
      { numRuns: 60 },
    );
  });

  it("Moses interval: covers a known shift and excludes zero for a clear one", () => {
    const a = Array.from({ length: 200 }, (_, i) => 5 + (i % 15));
    const b = a.map((x) => x + 10);
    const result = compareHistograms(histogram(a), histogram(b));
    expect(result.shift).toBe(10);
    expect(result.shiftCi[0]).toBeLessThanOrEqual(10);
    expect(result.shiftCi[1]).toBeGreaterThanOrEqual(10);
    expect(result.shiftCi[0]).toBeGreaterThan(0);
    expect(histogramMedian(histogram([1, 2, 3, 4]))).toBe(2.5);
  });
});
