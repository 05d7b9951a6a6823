import { describe, expect, it } from "vitest";
import { driftExplanation, driftHeadline, type TNarrativeEvent } from "./drift-narrative";

const base: TNarrativeEvent = {
  payer: { name: "Aetna" },
  cptGroup: "EM",
  driftType: "DENIAL_RATE",
  direction: "UP",
  denialReason: null,
  baselineValue: 0.08,
  currentValue: 0.19,
  delta: 0.11,
  deltaCi: [0.07, 0.15],
  qValue: 0.0002,
  estimatedRevenueImpact: "12400.00",
  baselineSampleSize: 3130,
  currentSampleSize: 240,
  baselineStart: "2026-08-15",
  baselineEnd: "2026-11-12",
  currentStart: "2026-11-13",
  currentEnd: "2026-11-26",
  consecutivePeriods: 2,
};

describe("drift narrative", () => {
  it("says the denial-rate change the way the issue asks", () => {
    expect(driftHeadline(base)).toBe("Denial rate rose from 8 % to 19 % on 240 claim lines; about $12,400 a month at risk.");
  });

  it("explains windows, confidence, persistence and a next step", () => {
    const text = driftExplanation(base).join(" ");
    expect(text).toContain("last 14 days (240 decided lines) with the 90 days before (3,130 lines) for Aetna, evaluation and management claims");
    expect(text).toContain("between +7.0 and +15.0 percentage points");
    expect(text).toContain("very unlikely to be chance (false-discovery-adjusted p = 0.00020)");
    expect(text).toContain("2 consecutive runs");
  });

  it("covers the other drift types", () => {
    expect(driftHeadline({ ...base, driftType: "PAYMENT_AMOUNT", direction: "DOWN", baselineValue: 1, currentValue: 0.85, delta: -0.15 })).toBe(
      "Allowed amounts fell by 15 % for the same procedure codes on 240 claim lines; about $12,400 a month at risk.",
    );
    expect(driftHeadline({ ...base, driftType: "DECISION_TIME", baselineValue: 12, currentValue: 22, delta: 10, estimatedRevenueImpact: "0.00" })).toBe(
      "Decisions now take 22 days instead of 12 (10 days slower) on 240 claim lines.",
    );
    const reason = { ...base, driftType: "DENIAL_REASON" as const, denialReason: "CO-197", baselineValue: 0, currentValue: 0.3 };
    expect(driftHeadline(reason)).toContain("CO-197 went from 0 % to 30 % of denials");
    expect(driftExplanation(reason).join(" ")).toContain("CO-197 means precertification or authorization was missing.");
  });
});

describe("numbers in words", () => {
  it("keeps a decimal where whole percents would mislead, and never prints 0.00e+0", async () => {
    const { formatDelta, formatProbability } = await import("./drift-narrative");
    expect(driftHeadline({ ...base, baselineValue: 0.048, currentValue: 0.5 })).toContain("from 4.8 % to 50 %");
    expect(formatProbability(0)).toBe("< 0.0001");
    expect(formatProbability(0.0123)).toBe("= 0.012");
    expect(formatDelta({ driftType: "DENIAL_RATE", delta: 0.4516, deltaCi: [0.3437, 0.5538] })).toBe("+45.2 pts [+34.4, +55.4]");
    expect(formatDelta({ driftType: "DECISION_TIME", delta: 10, deltaCi: [7.5, 12] })).toBe("+10.0 days [+7.5, +12.0]");
  });
});
