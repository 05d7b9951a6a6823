import { describe, expect, it } from "vitest";
import type { TCell, TWindowCounts } from "./assemble-cells";
import { evaluateCells } from "./evaluate-cells";
import type { TPaymentRow } from "./query-cell-metrics";
import { severityOf, type TDetectionSettings } from "./measure-cell-drift";

/** Gates, minimum samples and the BH decision at their edges, on hand-made cell aggregates. */

const SETTINGS: TDetectionSettings = {
  minSample: 30,
  fdrQ: 0.05,
  denialRateGate: 0.05,
  paymentDropGate: 0.05,
  decisionTimeGateDays: 3,
  reasonFromShare: 0.02,
  reasonToShare: 0.1,
  reasonMinCount: 5,
  currentDays: 14,
};

type TWindowInput = Partial<Omit<TWindowCounts, "carcs" | "lags">> & { carcs?: Record<string, number>; lags?: Record<number, number> };

function windowOf(input: TWindowInput): TWindowCounts {
  const lines = input.lines ?? 100;
  return {
    lines,
    denied: input.denied ?? 0,
    allowedSum: input.allowedSum ?? 100 * lines,
    allowedCount: input.allowedCount ?? lines,
    carcs: new Map(Object.entries(input.carcs ?? {})),
    // By default every line took 10 days: no decision-time signal.
    lags: new Map(Object.entries(input.lags ?? { 10: lines }).map(([k, v]) => [Number(k), v])),
  };
}

let seq = 0;
function cell(baseline: TWindowInput, current: TWindowInput, payment: Partial<TPaymentRow> | null = null): TCell {
  seq += 1;
  const payerId = `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`;
  return {
    key: `${payerId}|EM`,
    payerId,
    cptGroup: "EM",
    baseline: windowOf(baseline),
    current: windowOf(current),
    payment: payment
      ? {
          payerId,
          cptGroup: "EM",
          nA: 0,
          nB: 0,
          medianA: 1,
          medianB: 1,
          meanLogA: 0,
          varLogA: 0.01,
          meanLogB: 0,
          varLogB: 0.01,
          rankSumA: 0,
          tieTerm: 0,
          ...payment,
        }
      : null,
    underpayment: null,
  };
}

const types = (cells: TCell[], settings = SETTINGS) => evaluateCells(cells, settings).findings.map((f) => f.driftType);

describe("minimum sample", () => {
  it("skips a cell with minSample - 1 decided lines in either window and tests it at minSample", () => {
    expect(evaluateCells([cell({ lines: 29 }, { lines: 500 })], SETTINGS)).toMatchObject({ cellsTested: 0, cellsSkipped: 1, tests: 0 });
    expect(evaluateCells([cell({ lines: 500 }, { lines: 29 })], SETTINGS)).toMatchObject({ cellsTested: 0, cellsSkipped: 1, tests: 0 });
    const atEdge = evaluateCells([cell({ lines: 30 }, { lines: 30 })], SETTINGS);
    expect(atEdge).toMatchObject({ cellsTested: 1, cellsSkipped: 0 });
    expect(atEdge.evaluated.size).toBe(3); // no payment sample: PAYMENT_AMOUNT not evaluated
  });

  it("follows the tenant's minSample", () => {
    expect(evaluateCells([cell({ lines: 30 }, { lines: 30 })], { ...SETTINGS, minSample: 31 }).cellsTested).toBe(0);
  });

  it("tests PAYMENT_AMOUNT only with minSample ratios in both windows", () => {
    const strongDrop = { medianA: 1, medianB: 0.8, nA: 100, nB: 29, rankSumA: 100 * 129 - 4950, tieTerm: 0 };
    expect(evaluateCells([cell({ lines: 200 }, { lines: 200 }, strongDrop)], SETTINGS).testsByType.PAYMENT_AMOUNT).toBe(0);
    expect(
      evaluateCells([cell({ lines: 200 }, { lines: 200 }, { ...strongDrop, nB: 30, rankSumA: 100 * 130 - 4950 + 100 })], SETTINGS).testsByType.PAYMENT_AMOUNT,
    ).toBe(1);
  });
});

describe("DENIAL_RATE gate (abs change >= 5 pp)", () => {
  it("flags exactly at the gate and not below it", () => {
    expect(types([cell({ lines: 1000, denied: 100 }, { lines: 1000, denied: 150 })])).toEqual(["DENIAL_RATE"]);
    expect(types([cell({ lines: 1000, denied: 100 }, { lines: 1000, denied: 149 })])).toEqual([]);
  });

  it("flags falls too, with direction DOWN", () => {
    const [finding] = evaluateCells([cell({ lines: 1000, denied: 200 }, { lines: 1000, denied: 100 })], SETTINGS).findings;
    expect(finding).toMatchObject({ driftType: "DENIAL_RATE", direction: "DOWN", estimatedRevenueImpact: 0 });
  });

  it("needs statistical significance, not only the gate", () => {
    // +10 pp on 40 lines is within noise.
    expect(types([cell({ lines: 40, denied: 4 }, { lines: 40, denied: 8 })])).toEqual([]);
  });

  it("uses Fisher's exact test when an expected count is below 5", () => {
    const evaluation = evaluateCells([cell({ lines: 300, denied: 1 }, { lines: 30, denied: 6 })], SETTINGS);
    expect(evaluation.findings[0]).toMatchObject({ driftType: "DENIAL_RATE", method: "fisher-exact", direction: "UP" });
  });

  it("records the Agresti–Caffo interval, severity and revenue impact", () => {
    const [f] = evaluateCells([cell({ lines: 1000, denied: 100, allowedSum: 90_000, allowedCount: 900 }, { lines: 1400, denied: 280 })], SETTINGS).findings;
    expect(f!.deltaCi[0]).toBeLessThan(f!.delta);
    expect(f!.deltaCi[1]).toBeGreaterThan(f!.delta);
    expect(f!.severity).toBeCloseTo(severityOf(0.1 / 0.05), 6);
    // 0.1 × 1400 lines / 14 days × 30 days × $100 average allowed
    expect(f!.estimatedRevenueImpact).toBeCloseTo(30_000, 0);
  });
});

describe("PAYMENT_AMOUNT gate (drop >= 5 %)", () => {
  // Baseline ratios all above current ones: U is maximal, p tiny.
  const separated = { nA: 100, nB: 100, rankSumA: 15_050, tieTerm: 0 };
  it("flags a 5 % drop and not a 4.9 % one", () => {
    expect(types([cell({ lines: 200 }, { lines: 200 }, { ...separated, medianB: 0.95 })])).toEqual(["PAYMENT_AMOUNT"]);
    expect(types([cell({ lines: 200 }, { lines: 200 }, { ...separated, medianB: 0.951 })])).toEqual([]);
  });
  it("does not flag rises", () => {
    expect(types([cell({ lines: 200 }, { lines: 200 }, { nA: 100, nB: 100, rankSumA: 5050, tieTerm: 0, medianB: 1.2 })])).toEqual([]);
  });
});

describe("DECISION_TIME gate (median shift >= 3 days)", () => {
  it("flags a 3-day shift and not a 2-day one", () => {
    const baseline = { lines: 90, lags: { 8: 30, 10: 30, 12: 30 } };
    expect(types([cell(baseline, { lines: 90, lags: { 11: 30, 13: 30, 15: 30 } })])).toEqual(["DECISION_TIME"]);
    expect(types([cell(baseline, { lines: 90, lags: { 10: 30, 12: 30, 14: 30 } })])).toEqual([]);
  });
});

describe("DENIAL_REASON gate (from < 2 % to >= 10 %, >= 5 occurrences)", () => {
  const base = { lines: 5000, denied: 1000 };
  it("flags a CARC rising from 1.9 % to 10 % with 5 occurrences", () => {
    const [f] = evaluateCells(
      [cell({ ...base, carcs: { "CO-197": 19, "CO-50": 981 } }, { lines: 250, denied: 50, carcs: { "CO-197": 5, "CO-50": 45 } })],
      SETTINGS,
    ).findings;
    expect(f).toMatchObject({ driftType: "DENIAL_REASON", denialReason: "CO-197", direction: "UP" });
  });
  it("does not flag a CARC that already had 2 %", () => {
    expect(types([cell({ ...base, carcs: { "CO-197": 20, "CO-50": 980 } }, { lines: 250, denied: 50, carcs: { "CO-197": 5, "CO-50": 45 } })])).toEqual([]);
  });
  it("does not flag fewer than 5 occurrences", () => {
    expect(types([cell({ ...base, carcs: { "CO-197": 0, "CO-50": 1000 } }, { lines: 250, denied: 40, carcs: { "CO-197": 4, "CO-50": 36 } })])).toEqual([]);
  });
});

describe("Benjamini–Hochberg across the run", () => {
  it("a result significant alone is not an event among many null tests", () => {
    const borderline = cell({ lines: 400, denied: 40 }, { lines: 400, denied: 62 }); // p ≈ 0.02, +5.5 pp
    expect(types([borderline])).toEqual(["DENIAL_RATE"]);
    const nulls = Array.from({ length: 40 }, () => cell({ lines: 400, denied: 40 }, { lines: 400, denied: 40 }));
    expect(types([borderline, ...nulls])).toEqual([]);
  });
  it("stores q >= p and q <= fdrQ for every finding", () => {
    const cells = [
      cell({ lines: 1000, denied: 100 }, { lines: 1000, denied: 200 }),
      ...Array.from({ length: 10 }, () => cell({ lines: 400, denied: 40 }, { lines: 400, denied: 41 })),
    ];
    for (const f of evaluateCells(cells, SETTINGS).findings) {
      expect(f.qValue).toBeGreaterThanOrEqual(f.pValue);
      expect(f.qValue).toBeLessThanOrEqual(SETTINGS.fdrQ);
    }
  });
});

describe("severity", () => {
  it("is 0.5 at the gate, 0.75 at twice the gate, within 0..1", () => {
    expect(severityOf(1)).toBe(0.5);
    expect(severityOf(2)).toBe(0.75);
    expect(severityOf(0)).toBe(0);
    expect(severityOf(100)).toBeLessThanOrEqual(1);
  });
});
