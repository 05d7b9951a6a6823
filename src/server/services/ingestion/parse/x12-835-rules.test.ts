import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseX12_835 } from "./parse-x12-835";

/**
 * One rule of the "imperfect 835" policy per test, each on its own small hand-written fixture:
 * what an 835 carries that a clinic cannot fix is read, skipped with its reason, or warned
 * about — never a reason to refuse the whole file.
 */

const parseFixture = (name: string) => parseX12_835(readFileSync(new URL(`./fixtures/x12/${name}`, import.meta.url), "utf8"));
const values = (name: string) => parseFixture(name).lines.map(({ value }) => value);

describe("835 rules", () => {
  it("SVC05 zero or absent: 0 units kept (a denied 0-unit line is a denial); absent means 1", () => {
    const result = parseFixture("zero-units.835");
    expect(result).toMatchObject({ errors: [], skipped: [], warnings: [] });
    expect(result.lines.map(({ value }) => [value.submitterClaimId, value.cptCode, value.units, value.outcome, value.denialReason])).toEqual([
      ["ZERO-1", "99213", 0, "DENIED", { group: "CO", code: "29" }],
      ["ZERO-1", "99214", 1, "DENIED", { group: "CO", code: "29" }],
      ["ZERO-2", "99212", 1, "PAID", undefined],
    ]);
  });

  it("dates out of order: the line is kept with no submission date (lag left out) and a warning", () => {
    const result = parseFixture("date-order.835");
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.lines.map(({ value }) => [value.submitterClaimId, value.submittedAt, value.decidedAt])).toEqual([
      ["LATE-RCVD", null, "2024-05-15"], // received 06-01, decided 05-15
      ["LATE-SERVICE", null, "2024-05-15"], // served 05-20, decided 05-15
      ["IN-ORDER", "2024-05-01", "2024-05-15"],
    ]);
    expect(result.warnings).toEqual([
      { line: 12, field: "DTM*050", message: "DTM*050 is after the decision date (DTM*405): the line is kept, its decision time is left out of statistics" },
      { line: 16, field: "DTM*472", message: expect.stringContaining("the service date (DTM*472) is after the decision date") },
    ]);
  });

  it("a claim with no SVC becomes one claim-level line: no procedure code, CLP08 kept, outcome from the claim", () => {
    const result = parseFixture("claim-level.835");
    expect(result).toMatchObject({ errors: [], skipped: [], warnings: [] });
    expect(result.lines.map(({ line, value }) => ({ line, ...value }))).toEqual([
      expect.objectContaining({
        line: 10,
        submitterClaimId: "INST-1",
        lineNumber: 1,
        cptCode: null,
        facilityType: "11",
        serviceDate: "2024-04-10",
        submittedAt: "2024-05-01",
        billedAmount: "2000.00",
        paidAmount: "0.00",
        outcome: "DENIED",
        denialReason: { group: "CO", code: "50" },
      }),
      expect.objectContaining({ submitterClaimId: "INST-2", cptCode: null, facilityType: "13", outcome: "PAID", paidAmount: "800.00" }),
    ]);
  });

  it("revenue-code lines (SVC01 NU) are skipped with their reason; the claim's procedure lines still count", () => {
    const result = parseFixture("revenue-codes.835");
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([{ line: 12, field: "SVC01", message: "SVC01 is a revenue code (NU), not a procedure code; the line is skipped" }]);
    expect(result.lines.map(({ value }) => [value.cptCode, value.lineNumber])).toEqual([["99284", 2]]);
  });

  it("SVC06: the procedure as submitted is kept beside the adjudicated one", () => {
    expect(values("submitted-code.835").map((value) => [value.cptCode, value.submittedCptCode])).toEqual([["99213", "99215"]]);
    // A revenue code in SVC06 is not a procedure: not kept, the line still is.
    expect(values("revenue-codes.835").map((value) => value.submittedCptCode)).toEqual([undefined]);
  });

  it("SVC01-3..6: the procedure modifiers are kept in billed order, never the description or SVC06's", () => {
    const result = parseFixture("modifiers.835");
    expect(result.errors).toEqual([]);
    expect(result.lines.map(({ value }) => [value.lineNumber, value.cptCode, value.modifier, value.submittedCptCode])).toEqual([
      [1, "99213", "25:59", undefined],
      [2, "71046", "26", undefined],
      // SVC01-7 is the description; SVC06 HC:99215:25 is the code as submitted, its modifier not the line's.
      [3, "99214", "25:59:XU:GT", "99215"],
      // An empty first modifier position is no modifier; case is normalised.
      [4, "99215", "TC", undefined],
    ]);
    // A modifier that is no modifier skips its line (priced without it, it would read as underpaid).
    expect(result.skipped).toEqual([{ line: 27, field: "SVC01-3", message: "a modifier is two letters or digits, e.g. 26, TC or LT; the line is skipped" }]);
    // A line without modifiers carries none.
    expect(values("basic-paid.835").map((value) => value.modifier)).toEqual([undefined, "QW"]);
  });

  it("a non-procedure qualifier (ZZ) skips that line, not the file", () => {
    const result = parseFixture("non-procedure.835");
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([{ line: 12, field: "SVC01", message: expect.stringContaining("mutually defined code (ZZ)") }]);
    expect(result.lines.map(({ value }) => value.cptCode)).toEqual(["99213"]);
  });

  it("ST…SE without ISA/GS: applied with default separators and a warning", () => {
    const result = parseFixture("bare-st.835");
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ line: 1, field: "ISA", message: expect.stringContaining("no ISA/GS envelope") }]);
    expect(result.lines.map(({ value }) => value.submitterClaimId)).toEqual(["BARE-1"]);
  });

  it("SE01/GE01/IEA01 counts and control numbers that disagree are warnings; the claims are applied", () => {
    const result = parseFixture("bad-control-numbers.835");
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => warning.field)).toEqual(["SE01", "SE02", "GE01", "GE02", "IEA01", "IEA02"]);
    expect(result.lines).toHaveLength(1);
  });

  it("004010X091A1 is applied with a warning naming the version", () => {
    const result = parseFixture("version-4010.835");
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ line: 2, field: "GS08", message: expect.stringContaining("version 004010X091A1") }]);
    expect(result.lines).toHaveLength(1);
  });

  it("BOM, CRLF, indentation, blank lines, an unpadded ISA declaring | } ' and two interchanges are read", () => {
    const result = parseFixture("quirks.835");
    expect(result).toMatchObject({ errors: [], skipped: [], warnings: [] });
    expect(result.lines.map(({ value }) => [value.submitterClaimId, value.cptCode])).toEqual([
      ["QUIRK-1", "99213"],
      ["QUIRK-2", "99213"],
    ]);
  });

  it("unknown segments are ignored and counted in one warning", () => {
    const result = parseFixture("unknown-segments.835");
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([{ line: 8, field: "segment", message: "3 segments of a type an 835 does not use were ignored" }]);
    expect(result.lines).toHaveLength(1);
  });

  it("payer identity: N1*PR name and its identifier (N1*PR04, else REF*2U) travel with every line", () => {
    expect(values("zero-units.835").map((value) => [value.payerName, value.payerIdentifier])).toEqual([
      ["ACME HEALTH PLAN", "ACME123"],
      ["ACME HEALTH PLAN", "ACME123"],
      ["ACME HEALTH PLAN", "ACME123"],
    ]);
    expect(values("unknown-segments.835").map((value) => value.payerIdentifier)).toEqual(["ACME123"]);
  });
});
