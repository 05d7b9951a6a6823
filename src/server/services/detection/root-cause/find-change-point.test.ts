import { describe, expect, it } from "vitest";
import { findChangePoint, splitPosterior, type TDailyPoint } from "./find-change-point";

/** Series small enough to work out by hand; the expected numbers are derived in the comments. */

const gaussian = (values: number[], days = values.map((_, i) => i)): TDailyPoint[] => values.map((v, i) => ({ day: days[i]!, n: 1, sum: v, sumSq: v * v }));
const bernoulli = (n: number, sums: number[], days = sums.map((_, i) => i)): TDailyPoint[] => sums.map((s, i) => ({ day: days[i]!, n, sum: s, sumSq: s }));

describe("findChangePoint, Gaussian", () => {
  // 1 2 1 | 5 6 5: RSS of no split = 92 - 400/6 = 25.33; of the split after day 2 = 2/3 + 2/3.
  const series = gaussian([1, 2, 1, 5, 6, 5]);

  it("puts the change on the first day of the new level, with 2ΔlogL = 6 ln(25.33 / 1.33) = 6 ln 19", () => {
    const found = findChangePoint(series, "GAUSSIAN")!;
    expect(found.day).toBe(3);
    expect(found.before).toBeCloseTo(4 / 3, 12);
    expect(found.after).toBeCloseTo(16 / 3, 12);
    expect(found.statistic).toBeCloseTo(6 * Math.log(19), 9);
    expect(found.threshold).toBeCloseTo(2 * Math.log(6), 12);
    expect(found.significant).toBe(true);
  });

  it("weighs splits by (n1·n2)^-1/2 · RSS^-(N-2)/2", () => {
    // Split after 1..5 days: RSS 18.8, 15.25, 4/3, 11.25, 22 with (n1, n2) = (1,5) (2,4) (3,3) (4,2) (5,1).
    const raw = [5 ** -0.5 * 18.8 ** -2, 8 ** -0.5 * 15.25 ** -2, 9 ** -0.5 * (4 / 3) ** -2, 8 ** -0.5 * 11.25 ** -2, 5 ** -0.5 * 22 ** -2];
    const mass = raw.reduce((a, b) => a + b, 0);
    const posterior = splitPosterior(series, "GAUSSIAN");
    expect(posterior.map((p) => p.day)).toEqual([1, 2, 3, 4, 5]);
    posterior.forEach((p, i) => expect(p.probability).toBeCloseTo(raw[i]! / mass, 12));
    // Day 3 alone holds 96.6 % of the mass: the 95 % interval is that one day.
    const found = findChangePoint(series, "GAUSSIAN")!;
    expect([found.low, found.high]).toEqual([3, 3]);
  });

  it("a level series has no significant change", () => {
    const found = findChangePoint(gaussian([3, 4, 3, 4, 3, 4, 3, 4]), "GAUSSIAN")!;
    expect(found.significant).toBe(false);
  });
});

describe("findChangePoint, Bernoulli", () => {
  // Two lines a day, successes 0 0 2 2. Evidence of a split = B(S1+1, N1-S1+1) · B(S2+1, N2-S2+1):
  //   after day 0: B(1,3)·B(5,3) = 1/3 · 1/105 = 1/315
  //   after day 1: B(1,5)·B(5,1) = 1/5 · 1/5  = 1/25
  //   after day 2: B(3,5)·B(3,1) = 1/105 · 1/3 = 1/315
  const series = bernoulli(2, [0, 0, 2, 2]);

  it("matches the hand-computed posterior and its 95 % interval", () => {
    const posterior = splitPosterior(series, "BERNOULLI");
    const mass = 1 / 315 + 1 / 25 + 1 / 315;
    expect(posterior.map((p) => p.probability)).toEqual([1 / 315 / mass, 1 / 25 / mass, 1 / 315 / mass].map((v) => expect.closeTo(v, 12)));
    // 6.8 % on each side of the middle split: both neighbours fall inside the 95 % interval.
    const found = findChangePoint(series, "BERNOULLI")!;
    expect(found).toMatchObject({ day: 2, low: 1, high: 3, before: 0, after: 1, significant: true });
    // No split: 8 ln 0.5; the best split fits exactly (log-likelihood 0).
    expect(found.statistic).toBeCloseTo(-16 * Math.log(0.5), 12);
    expect(found.threshold).toBeCloseTo(2 * Math.log(8), 12);
  });

  it("reaches back over days without lines: the change began after the last day of the old level", () => {
    const found = findChangePoint(bernoulli(40, [2, 3, 2, 30, 31, 29], [0, 1, 2, 6, 7, 8]), "BERNOULLI")!;
    expect(found.day).toBe(6);
    expect(found.low).toBe(3);
    expect(found.high).toBe(6);
  });

  it("a steady rate has no significant change; one day is no series", () => {
    expect(findChangePoint(bernoulli(10, [1, 1, 1, 1, 1, 1]), "BERNOULLI")).toMatchObject({ statistic: 0, significant: false });
    expect(findChangePoint(bernoulli(10, [1]), "BERNOULLI")).toBeNull();
    expect(
      findChangePoint(
        [
          { day: 0, n: 0, sum: 0, sumSq: 0 },
          { day: 1, n: 5, sum: 1, sumSq: 1 },
        ],
        "BERNOULLI",
      ),
    ).toBeNull();
  });

  it("refuses counts that are not successes out of lines", () => {
    expect(() => findChangePoint(bernoulli(2, [0, 3]), "BERNOULLI")).toThrow(RangeError);
  });
});
