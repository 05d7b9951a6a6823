import { describe, expect, it } from "vitest";
import { parseDate, parseMoney, ZClaimLineInput, type TClaimLineInputRaw } from "./claim-line-input";

const validLine: TClaimLineInputRaw = {
  submitterClaimId: "CLM-1",
  lineNumber: 1,
  payerName: "Aetna",
  cptCode: "99213",
  serviceDate: "2024-03-05",
  submittedAt: "2024-03-07",
  decidedAt: "2024-03-28",
  billedAmount: "100.00",
  outcome: "PAID",
};

function issuesOf(input: Record<string, unknown>) {
  const result = ZClaimLineInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: String(issue.path[0] ?? ""), message: issue.message }));
}

describe("parseMoney", () => {
  it.each([
    ["1234.5", "1234.50"],
    ["$1,234.50", "1234.50"],
    [" $ 12 ", "12.00"],
    ["0012.30", "12.30"],
    [".5", "0.50"],
    ["7.", "7.00"],
    ["1,000,000", "1000000.00"],
    ["12.3400", "12.34"],
    ["-0.00", "0.00"],
  ])("reads %j as %s", (input, expected) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [1234.5, "1234.50"],
    [0, "0.00"],
    [0.1 + 0.2, "0.30"],
    [99.99, "99.99"],
  ])("reads the number %s as %s", (input, expected) => {
    expect(parseMoney(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["-5", "$-5.00", "-$5", "(5.00)", -0.01])("rejects the negative amount %j", (input) => {
    expect(parseMoney(input)).toEqual({ ok: false, message: "negative amounts are not allowed" });
  });

  it.each(["", "abc", "12,34", "1,2345", "1.2.3", "$", "1e3", "12 34", "€12"])("rejects %j as not money", (input) => {
    expect(parseMoney(input).ok).toBe(false);
  });

  it("rejects sub-cent precision instead of rounding revenue", () => {
    expect(parseMoney("1.005")).toEqual({ ok: false, message: "more than two decimal places" });
    expect(parseMoney(1.005)).toEqual({ ok: false, message: "more than two decimal places" });
  });

  it("rejects amounts too large to be a claim line", () => {
    expect(parseMoney("12345678901.00").ok).toBe(false);
    expect(parseMoney(Number.POSITIVE_INFINITY).ok).toBe(false);
  });
});

describe("parseDate", () => {
  it.each([
    ["2024-03-05", "2024-03-05"],
    ["03/05/2024", "2024-03-05"],
    ["3/5/2024", "2024-03-05"],
    ["2024-03-05T23:30:00-05:00", "2024-03-05"], // the written calendar day, not UTC's
    ["2024-03-05T01:00:00Z", "2024-03-05"],
    ["2024-03-05T01:00:00.123+0100", "2024-03-05"],
    ["2024-03-05 10:15", "2024-03-05"],
    ["2024-02-29", "2024-02-29"],
  ])("reads %s as %s", (input, expected) => {
    expect(parseDate(input)).toEqual({ ok: true, value: expected });
  });

  it.each(["2023-02-29", "2024-13-01", "04/31/2024", "2024-03-05T25:00:00Z", "05.03.2024", "20240305", "", "0224-03-05"])("rejects %j", (input) => {
    expect(parseDate(input).ok).toBe(false);
  });
});

describe("ZClaimLineInput", () => {
  it("normalises every field to its canonical form", () => {
    const parsed = ZClaimLineInput.parse({
      ...validLine,
      submitterClaimId: "  CLM-1 ",
      lineNumber: "2",
      cptCode: "g0101",
      units: "1.5",
      serviceDate: "03/05/2024",
      paidAt: "2024-04-01T08:00:00Z",
      billedAmount: 1234.5,
      allowedAmount: "$1,300.00",
      paidAmount: "$1,000",
      outcome: "partial",
      denialReason: "co-97",
      remarkCodes: "N130; MA01,N130 M15",
      payerClaimNumber: "ICN-9",
      patientAccount: "ACCT-77",
    });
    expect(parsed).toEqual({
      submitterClaimId: "CLM-1",
      lineNumber: 2,
      payerName: "Aetna",
      cptCode: "G0101",
      units: 1.5,
      serviceDate: "2024-03-05",
      submittedAt: "2024-03-07",
      decidedAt: "2024-03-28",
      paidAt: "2024-04-01",
      billedAmount: "1234.50",
      allowedAmount: "1300.00", // more than billed: payers may allow more, so it stays valid
      paidAmount: "1000.00",
      outcome: "PARTIAL",
      denialReason: { group: "CO", code: "97" },
      remarkCodes: ["N130", "MA01", "M15"],
      payerClaimNumber: "ICN-9",
      patientAccount: "ACCT-77",
    });
  });

  it("defaults units to 1 and accepts remark codes as an array", () => {
    const parsed = ZClaimLineInput.parse({ ...validLine, remarkCodes: ["n130", " MA01 "] });
    expect(parsed.units).toBe(1);
    expect(parsed.remarkCodes).toEqual(["N130", "MA01"]);
  });

  it.each(["99213", "G0101", "J1100", "0001U", "3008F", "0075T"])("accepts the procedure code %s", (cptCode) => {
    expect(issuesOf({ ...validLine, cptCode })).toEqual([]);
  });

  it.each(["9921", "992134", "GG101", "0001X", "99-13", ""])("rejects the procedure code %j", (cptCode) => {
    expect(issuesOf({ ...validLine, cptCode }).map((issue) => issue.path)).toEqual(["cptCode"]);
  });

  it.each(["CO-50", "PR-204", "OA-18", "PI-B7", "CR-A1", "co - 16"])("accepts the denial reason %j", (denialReason) => {
    expect(issuesOf({ ...validLine, denialReason })).toEqual([]);
  });

  it.each(["XX-50", "CO50x", "CO-", "50", "CO-1234"])("rejects the denial reason %j", (denialReason) => {
    expect(issuesOf({ ...validLine, denialReason }).map((issue) => issue.path)).toEqual(["denialReason"]);
  });

  it.each([
    ["lineNumber", 0],
    ["lineNumber", 1.5],
    ["units", 0],
    ["units", "-1"],
    ["outcome", "APPROVED"],
    ["submitterClaimId", ""],
    ["submitterClaimId", "x".repeat(65)],
    ["submitterClaimId", "A\nB"],
    ["payerName", "x".repeat(201)],
    ["remarkCodes", "N130,TOOLONGCODE"],
    ["billedAmount", "-1"],
    ["serviceDate", 20240305],
  ])("rejects %s = %j", (field, value) => {
    expect(issuesOf({ ...validLine, [field]: value }).map((issue) => issue.path)).toEqual([field]);
  });

  it("rejects unknown keys", () => {
    expect(issuesOf({ ...validLine, patientName: "Jane" })).toEqual([{ path: "", message: expect.stringContaining("patientName") }]);
  });

  it("requires the mandatory fields", () => {
    expect(issuesOf({}).map((issue) => issue.path)).toEqual(
      expect.arrayContaining(["submitterClaimId", "lineNumber", "payerName", "cptCode", "serviceDate", "submittedAt", "decidedAt", "billedAmount", "outcome"]),
    );
  });

  it("rejects a decision before the submission", () => {
    expect(issuesOf({ ...validLine, submittedAt: "2024-03-07", decidedAt: "03/06/2024" })).toEqual([
      { path: "decidedAt", message: "decision date is before the submission date" },
    ]);
  });

  it("allows a same-day decision", () => {
    expect(issuesOf({ ...validLine, submittedAt: "2024-03-07", decidedAt: "2024-03-07" })).toEqual([]);
  });

  it("rejects paying more than was billed, compared as money not text", () => {
    expect(issuesOf({ ...validLine, billedAmount: "100.00", paidAmount: "100.01" })).toEqual([
      { path: "paidAmount", message: "paid amount is more than the billed amount" },
    ]);
    expect(issuesOf({ ...validLine, billedAmount: "1,000", paidAmount: "999.99" })).toEqual([]);
  });
});

describe("modifier", () => {
  const modifierOf = (modifier: unknown) => {
    const result = ZClaimLineInput.safeParse({ ...validLine, modifier });
    return result.success ? result.data.modifier : undefined;
  };

  it.each([
    ["26", "26"],
    ["tc", "TC"],
    [" 25 , 59 ", "25:59"],
    ["25:59;xu GT", "25:59:XU:GT"],
    ["26:26", "26"],
    [["26", "lt"], "26:LT"],
    ["", ""],
    [[], ""],
  ])("stores %j as %j", (input, stored) => {
    expect(modifierOf(input)).toBe(stored);
  });

  it("is optional", () => {
    const result = ZClaimLineInput.parse(validLine);
    expect(result.modifier).toBeUndefined();
  });

  it.each(["2", "2X6", "2-6", "Ä1", "25:59:XU:GT:LT", 26])("rejects %j on the modifier field", (modifier) => {
    expect(issuesOf({ ...validLine, modifier }).map((issue) => issue.path)).toEqual(["modifier"]);
  });
});
