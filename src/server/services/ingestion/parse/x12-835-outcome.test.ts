import { describe, expect, it } from "vitest";
import { classifyServiceLine, isDenialAdjustment, type TAdjustment } from "./x12-835-outcome";

const adj = (group: string, reason: string, dollars: number): TAdjustment => ({ group, reason, cents: Math.round(dollars * 100), line: 1 });
const classify = (paid: number, adjustments: TAdjustment[], claimStatus = "1") =>
  classifyServiceLine({ paidCents: Math.round(paid * 100), claimStatus, adjustments });

describe("isDenialAdjustment", () => {
  it.each([
    ["CO", "50", true],
    ["CO", "97", true],
    ["PI", "16", true],
    ["OA", "18", true],
    ["PR", "204", true],
    ["CO", "45", false],
    ["CO", "253", false],
    ["CO", "59", false],
    ["OA", "23", false],
    ["PR", "1", false],
    ["PR", "2", false],
    ["PR", "3", false],
    ["CR", "50", false],
  ])("%s-%s is a denial: %s", (group, reason, expected) => {
    expect(isDenialAdjustment(adj(group, reason, 1))).toBe(expected);
  });
});

describe("classifyServiceLine", () => {
  it("PAID: paid with only contractual / cost-share reductions", () => {
    expect(classify(150, [adj("CO", "45", 30), adj("PR", "2", 20)])).toEqual({ outcome: "PAID" });
  });

  it("PARTIAL: paid, but part of the line was refused", () => {
    expect(classify(120, [adj("CO", "45", 100), adj("CO", "151", 80)])).toEqual({ outcome: "PARTIAL", denialReason: "CO-151", denialLine: 1 });
  });

  it("DENIED: nothing paid and a denial reason accounts for the charge, whatever the claim status", () => {
    expect(classify(0, [adj("CO", "50", 250)], "1")).toMatchObject({ outcome: "DENIED", denialReason: "CO-50" });
    expect(classify(0, [adj("CO", "45", 60), adj("CO", "97", 40)], "2")).toMatchObject({ outcome: "DENIED", denialReason: "CO-97" });
  });

  it("DENIED: claim status 4 even without a denial-type adjustment", () => {
    expect(classify(0, [], "4")).toEqual({ outcome: "DENIED" });
  });

  it("OTHER: nothing paid because of the deductible", () => {
    expect(classify(0, [adj("CO", "45", 50), adj("PR", "1", 100)])).toEqual({ outcome: "OTHER" });
  });

  it("OTHER: the deductible, not the small refusal, is why nothing was paid", () => {
    expect(classify(0, [adj("PR", "1", 90), adj("CO", "16", 10)])).toEqual({ outcome: "OTHER" });
  });

  it("DENIED: the refusal outweighs the cost share", () => {
    expect(classify(0, [adj("PR", "1", 10), adj("CO", "97", 90)])).toMatchObject({ outcome: "DENIED", denialReason: "CO-97" });
  });

  it("OTHER: a secondary payer paying nothing after the primary (OA-23)", () => {
    expect(classify(0, [adj("OA", "23", 60)], "2")).toEqual({ outcome: "OTHER" });
  });

  it("denial reason is the largest denial; the earlier wins a tie; negative amounts never count", () => {
    expect(classify(0, [adj("CO", "16", 30), adj("CO", "50", 30), adj("CO", "97", -50)])).toMatchObject({ denialReason: "CO-16" });
  });
});
