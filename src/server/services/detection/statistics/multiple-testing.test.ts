import { describe, expect, it } from "vitest";

import { benjaminiHochberg } from "./multiple-testing";

// Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57(1), 289–300, section 4: the 15
// p-values of the Neuhaus et al. (1992) thrombolysis trial. At q = 0.05 the step-up
// procedure rejects exactly the four smallest.
const BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

describe("benjaminiHochberg", () => {
  it("rejects exactly the four hypotheses the 1995 paper rejects at q = 0.05", () => {
    const q = benjaminiHochberg(BH_1995);
    expect(q.map((value) => value <= 0.05)).toEqual([...Array(4).fill(true), ...Array(11).fill(false)]);
  });

  it("gives R p.adjust(method = 'BH') q-values for the 1995 example", () => {
    // q(i) = min_{j >= i} p(j) * 15 / j, worked by hand; R's p.adjust computes the same
    // cummin(n / i * p[o])[ro]. Note q6 = q7: p6 * 15/6 = 0.0695 is lowered by p7's 0.063857.
    const expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0638571, 0.0638571, 0.0645, 0.0765, 0.486, 0.5811818, 0.714875, 0.7532308, 0.8132143, 1];
    benjaminiHochberg(BH_1995).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
  });

  it("keeps the input order (R p.adjust(c(0.01, 0.04, 0.03, 0.005), 'BH'))", () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), method = "BH") = 0.02 0.04 0.04 0.02
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((value, i) => expect(q[i]).toBeCloseTo(value, 12));
  });

  it("is invariant to permuting the input", () => {
    const reversed = [...BH_1995].reverse();
    const q = benjaminiHochberg(BH_1995);
    const qReversed = benjaminiHochberg(reversed);
    q.forEach((value, i) => expect(qReversed[BH_1995.length - 1 - i]).toBeCloseTo(value, 12));
  });

  it("is monotone in p, never below p, and capped at 1", () => {
    const p = [0.9, 0.5, 0.01, 0.8, 0.2, 0.04, 0.99, 0.5];
    const q = benjaminiHochberg(p);
    const byP = p.map((value, i) => [value, q[i]!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < byP.length; i++) expect(byP[i]![1]).toBeGreaterThanOrEqual(byP[i - 1]![1]);
    q.forEach((value, i) => {
      expect(value).toBeGreaterThanOrEqual(p[i]!);
      expect(value).toBeLessThanOrEqual(1);
    });
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
  });

  it("leaves a single p-value unchanged and ties equal", () => {
    expect(benjaminiHochberg([0.03])).toEqual([0.03]);
    expect(benjaminiHochberg([0.02, 0.02, 0.02])).toEqual([0.02, 0.02, 0.02]);
    expect(benjaminiHochberg([0, 1])).toEqual([0, 1]);
  });

  it("returns an empty list for a run that tested no cells", () => {
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it("throws RangeError for values that are not probabilities", () => {
    expect(() => benjaminiHochberg([0.1, Number.NaN])).toThrow(RangeError);
    expect(() => benjaminiHochberg([0.1, 1.5])).toThrow(/index 1/);
    expect(() => benjaminiHochberg([-0.01])).toThrow(RangeError);
  });
});
