import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseX12_835, type TX12ParseResult } from "./parse-x12-835";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/x12/${name}`, import.meta.url), "utf8");
const parseFixture = (name: string) => parseX12_835(fixture(name));

/** A compact view of the lines: enough to read a whole fixture's outcome at a glance. */
function summary(result: TX12ParseResult) {
  return result.lines.map(({ line, value }) => ({
    line,
    id: `${value.submitterClaimId}#${value.lineNumber}`,
    outcome: value.outcome,
    denialReason: value.denialReason ? `${value.denialReason.group}-${value.denialReason.code}` : undefined,
  }));
}

describe("parseX12_835: mapping", () => {
  it("maps CLP/SVC/DTM/AMT/CAS/LQ/N1/BPR to claim lines (separators * : ~)", () => {
    const result = parseFixture("basic-paid.835");
    expect(result.errors).toEqual([]);
    expect(result.reversals).toEqual([]);
    expect(result.lines).toEqual([
      {
        kind: "line",
        line: 16,
        value: {
          submitterClaimId: "CLM-1001", // CLP01
          lineNumber: 1, // REF*6R
          payerName: "ACME HEALTH PLAN", // N1*PR N102
          cptCode: "99213", // SVC01-2
          units: 1, // SVC05
          serviceDate: "2024-02-26", // DTM*472
          submittedAt: "2024-03-01", // DTM*050
          decidedAt: "2024-03-15", // DTM*405
          paidAt: "2024-03-20", // BPR16
          billedAmount: "200.00", // SVC02
          allowedAmount: "170.00", // AMT*B6
          paidAmount: "150.00", // SVC03
          outcome: "PAID",
          payerClaimNumber: "ICN-5001", // CLP07
        },
      },
      {
        kind: "line",
        line: 22,
        value: expect.objectContaining({
          lineNumber: 2,
          cptCode: "85025", // modifier QW in SVC01-3 does not leak into the code
          units: 2,
          billedAmount: "100.00",
          allowedAmount: "60.00",
          paidAmount: "60.00",
          remarkCodes: ["N130"], // LQ*HE
        }),
      },
    ]);
  });

  it("reads | > ^ separators and newline-terminated segments from the ISA", () => {
    const result = parseFixture("alt-separators.835");
    expect(result.errors).toEqual([]);
    expect(result.lines).toEqual([
      {
        kind: "line",
        line: 12,
        value: expect.objectContaining({
          submitterClaimId: "CLM-2001",
          payerName: "BLUE RIVER INSURANCE",
          cptCode: "99214",
          serviceDate: "2024-03-04",
          paidAt: "2024-03-18",
          billedAmount: "120.00",
          paidAmount: "95.00",
          outcome: "PAID", // PR-3 copay is cost share, not a denial
          remarkCodes: ["MA01", "N130"],
        }),
      },
    ]);
  });

  it("gives the same result with CRLF line ends", () => {
    expect(parseX12_835(fixture("alt-separators.835").replaceAll("\n", "\r\n"))).toEqual(parseFixture("alt-separators.835"));
    expect(parseX12_835(fixture("basic-paid.835").replaceAll("\n", "\r\n"))).toEqual(parseFixture("basic-paid.835"));
  });

  it("reads several ISA/GS/ST envelopes, each with its own payer and dates", () => {
    const result = parseFixture("multi-envelope.835");
    expect(result.errors).toEqual([]);
    expect(result.lines.map(({ value }) => [value.submitterClaimId, value.payerName, value.cptCode, value.decidedAt, value.paidAt])).toEqual([
      ["MULTI-1", "ACME HEALTH PLAN", "99212", "2024-04-01", "2024-04-03"],
      ["MULTI-2", "BLUE RIVER INSURANCE", "J1100", "2024-04-02", "2024-04-04"],
      ["MULTI-3", "GREEN VALLEY HEALTH", "97110", "2024-04-03", undefined], // nothing paid: no paidAt
      ["MULTI-4", "ACME HEALTH PLAN", "99213", "2024-04-04", "2024-04-06"], // second ISA: ! } ~
    ]);
    expect(result.lines[1]?.value.units).toBe(3);
  });
});

describe("parseX12_835: envelopes", () => {
  it("warns (and still applies) when SE01 counts and SE/GE/IEA control numbers disagree with their headers", () => {
    const result = parseFixture("bad-control-numbers.835");
    expect(result.errors).toEqual([]);
    expect(result.lines).toHaveLength(1);
    expect(result.warnings).toEqual([
      { line: 13, field: "SE01", message: "SE01 declares 12 segments, counted 11" },
      { line: 13, field: "SE02", message: 'SE02 control number "4009" does not match ST02 "4001"' },
      { line: 14, field: "GE01", message: "GE01 declares 2 transaction sets, counted 1" },
      { line: 14, field: "GE02", message: 'GE02 control number "499" does not match GS06 "401"' },
      { line: 15, field: "IEA01", message: "IEA01 declares 3 functional groups, counted 1" },
      { line: 15, field: "IEA02", message: 'IEA02 control number "000000999" does not match ISA13 "000000401"' },
    ]);
  });

  it("refuses a file that starts with neither ISA nor ST", () => {
    const result = parseFixture("missing-isa.835");
    expect(result).toMatchObject({ lines: [], reversals: [], errors: [{ line: 1, field: "ISA", message: expect.stringContaining("neither ISA nor ST") }] });
  });

  it("reports a truncated file: no SE, GE or IEA", () => {
    const result = parseFixture("truncated.835");
    expect(result.errors).toEqual([
      { line: 1, field: "IEA", message: expect.stringContaining("IEA missing") },
      { line: 2, field: "GE", message: expect.stringContaining("GE missing") },
      { line: 3, field: "SE", message: expect.stringContaining("SE missing") },
    ]);
    // A truncated file is refused whole: nothing of the unclosed set is applied.
    expect(result.lines).toEqual([]);
  });

  it("refuses a file with no 835 transaction set; skips a non-835 set and segments outside any set", () => {
    const text = fixture("basic-paid.835").replace("ST*835*0001", "ST*277*0001").replace("GE*1*101~", "GE*1*101~\nLX*9~");
    expect(parseX12_835(text)).toMatchObject({
      errors: [{ line: 1, field: "ST01", message: "not an X12 835 file: it holds no 835 transaction set" }],
      skipped: [
        { line: 3, field: "ST01", message: "transaction set is not an 835 remittance; skipped" },
        { line: 30, field: "segment", message: "segments outside a transaction set (ST…SE) are ignored" },
      ],
    });
    const mixed = fixture("multi-envelope.835").replace("ST*835*3002", "ST*277*3002");
    const result = parseX12_835(mixed);
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([expect.objectContaining({ field: "ST01" })]);
    expect(result.lines.length).toBeGreaterThan(0);
  });
});

describe("parseX12_835: outcomes", () => {
  it("decides DENIED / PARTIAL / PAID / OTHER from the adjustments, not only CLP02", () => {
    const result = parseFixture("outcomes.835");
    expect(result.errors).toEqual([]);
    expect(summary(result)).toEqual([
      { line: 10, id: "OUT-DENY-CAS#1", outcome: "DENIED", denialReason: "CO-50" }, // CLP02 = 1, zero paid, CO-50
      { line: 17, id: "OUT-DENY-STATUS4#1", outcome: "DENIED", denialReason: "CO-29" }, // claim-level CAS
      { line: 21, id: "OUT-PARTIAL#1", outcome: "PARTIAL", denialReason: "CO-151" }, // two triplets in one CAS
      { line: 26, id: "OUT-DEDUCTIBLE#1", outcome: "OTHER", denialReason: undefined },
      { line: 32, id: "OUT-CONTRACTUAL#1", outcome: "PAID", denialReason: undefined },
      { line: 37, id: "OUT-SIX-TRIPLETS#1", outcome: "DENIED", denialReason: "CO-50" }, // sixth triplet is the largest
      { line: 42, id: "OUT-NOT-COVERED#1", outcome: "DENIED", denialReason: "PR-204" },
      { line: 47, id: "OUT-SECONDARY-COB#1", outcome: "OTHER", denialReason: undefined },
    ]);
    expect(result.lines[0]?.value.remarkCodes).toEqual(["N115"]);
    expect(result.lines[2]?.value).toMatchObject({ units: 2, billedAmount: "300.00", paidAmount: "120.00" });
  });
});

describe("parseX12_835: reversals and corrections", () => {
  it("emits reversals and keeps only the latest version of each claim", () => {
    const result = parseFixture("reversal.835");
    expect(result.errors).toEqual([]);
    expect(result.reversals).toEqual([
      {
        kind: "reversal",
        line: 13,
        submitterClaimId: "REV-1",
        payerName: "ACME HEALTH PLAN",
        payerClaimNumber: "ICN-R1",
        billedAmount: "100.00",
        paidAmount: "80.00",
      },
      {
        kind: "reversal",
        line: 23,
        submitterClaimId: "REV-2",
        payerName: "ACME HEALTH PLAN",
        payerClaimNumber: "ICN-R2",
        billedAmount: "50.00",
        paidAmount: "50.00",
      },
      {
        kind: "reversal",
        line: 32,
        submitterClaimId: "REV-3",
        payerName: "ACME HEALTH PLAN",
        payerClaimNumber: "ICN-R3",
        billedAmount: "200.00",
        paidAmount: "100.00",
      },
    ]);
    // REV-1: original -> reversal (drops it) -> correction (kept).
    // REV-2: reverses a claim from an earlier upload: no line here.
    // REV-3: the correction came first; the reversal (other ICN, other amounts) does not remove it.
    expect(result.lines.map(({ line, value }) => [line, value.submitterClaimId, value.paidAmount, value.payerClaimNumber])).toEqual([
      [20, "REV-1", "90.00", "ICN-R1B"],
      [29, "REV-3", "150.00", "ICN-R3B"],
    ]);
  });

  it("without a correction, a reversal removes the claim from this file's lines", () => {
    const text = fixture("reversal.835").replace("CLP*REV-1*1*100*90*0*12*ICN-R1B~", "CLP*REV-1*22*-100*-90*0*12*ICN-R1B~");
    const result = parseX12_835(text);
    expect(result.lines.map(({ value }) => value.submitterClaimId)).toEqual(["REV-3"]);
    expect(result.reversals.map((reversal) => reversal.submitterClaimId)).toEqual(["REV-1", "REV-1", "REV-2", "REV-3"]);
  });

  it("a later CLP for the same claim replaces the earlier one", () => {
    const text = fixture("reversal.835").replace("CLP*REV-1*22*-100*-80*0*12*ICN-R1~", "CLP*REV-1*1*100*70*0*12*ICN-R1~");
    const rev1 = parseX12_835(text).lines.filter(({ value }) => value.submitterClaimId === "REV-1");
    expect(rev1.map(({ value }) => value.paidAmount)).toEqual(["90.00"]);
  });
});

describe("parseX12_835: dates, numbering and fallbacks", () => {
  it("follows the documented date precedence and line numbering rules", () => {
    const result = parseFixture("dates-and-fallbacks.835");
    expect(
      result.lines.map(({ value }) => [
        value.submitterClaimId,
        value.lineNumber,
        value.units,
        value.serviceDate,
        value.submittedAt,
        value.decidedAt,
        value.paidAt,
      ]),
    ).toEqual([
      // No DTM*472: claim DTM*232; no DTM*050: the service date; no BPR16: DTM*405 for both.
      // REF*6R "A1" is not numeric, so the claim's lines are numbered 1..n.
      ["FALL-1", 1, 1, "2024-04-20", "2024-04-20", "2024-05-10", "2024-05-10"],
      ["FALL-1", 2, 1, "2024-04-21", "2024-04-21", "2024-05-10", "2024-05-10"],
      // Every line has a distinct numeric REF*6R: those numbers are used.
      ["FALL-2", 3, 1, "2024-04-22", "2024-04-25", "2024-05-10", "2024-05-10"],
      ["FALL-2", 5, 1, "2024-04-22", "2024-04-25", "2024-05-10", "2024-05-10"],
      // No DTM*405: BPR16 decides.
      ["FALL-3", 1, 1, "2024-04-30", "2024-05-01", "2024-05-12", "2024-05-12"],
    ]);
    // The third remittance has no N1*PR: one skipped item for the set, no lines from it.
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([{ line: 35, field: "N1*PR", message: "remittance has no payer name (N1*PR N102); its 1 claim is skipped" }]);
  });

  it("skips (with one item) a remittance with neither DTM*405 nor BPR16", () => {
    const text = fixture("basic-paid.835")
      .replace("DTM*405*20240315~\n", "")
      .replace("**01*999988880*DA*98765*20240320~", "~")
      .replace("SE*26*0001", "SE*25*0001");
    expect(parseX12_835(text)).toMatchObject({
      lines: [],
      reversals: [],
      errors: [],
      skipped: [{ line: 3, field: "DTM*405", message: expect.stringContaining("no decision date") }],
    });
  });
});

describe("parseX12_835: invalid values", () => {
  it("validates every line through ZRemittanceLine; what cannot be used is skipped with segment, element and reason", () => {
    const result = parseFixture("invalid-values.835");
    expect(result.errors).toEqual([]);
    expect(result.skipped).toEqual([
      { line: 12, field: "DTM*472", message: "not a valid X12 date (CCYYMMDD); the date is not used" },
      { line: 15, field: "SVC03", message: "not an X12 decimal amount; the service line is skipped" },
      { line: 19, field: "SVC01", message: "SVC01 is a revenue code (NU), not a procedure code; the line is skipped" },
      { line: 21, field: "SVC01", message: expect.stringContaining("not a CPT/HCPCS code") },
      { line: 23, field: "CAS01", message: "adjustment group must be CO, PR, OA, PI or CR; the adjustment is skipped" },
      { line: 24, field: "SVC02", message: "negative amounts are not allowed; the line is skipped" },
      // A claim with no SVC becomes a claim-level line, but this one has no statement date.
      { line: 26, field: "DTM*232", message: expect.stringContaining("no statement date") },
      { line: 31, field: "SVC03", message: "paid amount is more than the billed amount; the line is skipped" },
    ]);
    // Received after the decision: the line is kept without a submission date, with a warning.
    expect(result.warnings).toEqual([{ line: 35, field: "DTM*050", message: expect.stringContaining("left out of statistics") }]);
    // The bad DTM*472 is skipped, and the line falls back to the claim's DTM*232.
    expect(result.lines.map(({ value }) => [value.submitterClaimId, value.serviceDate, value.submittedAt])).toEqual([
      ["BAD-DATE", "2024-02-28", "2024-05-01"],
      ["LATE-RECEIPT", "2024-04-25", null],
    ]);
  });
});

describe("parseX12_835: scale", () => {
  const remittance = (claims: number) => {
    const claim = (n: number) =>
      [`CLP*BIG-${n}*1*100*80*0*12*ICN-${n}`, "DTM*050*20240301", "SVC*HC:99213*100*80**1", "DTM*472*20240226", "CAS*CO*45*20"].join("~\n");
    const body = [
      "BPR*I*1*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240320",
      "DTM*405*20240315",
      "N1*PR*ACME",
      "LX*1",
      ...Array.from({ length: claims }, (_, n) => claim(n)),
    ];
    const lines = [
      "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240315*1200*^*00501*000000101*0*P*:",
      "GS*HP*P*C*20240315*1200*101*X*005010X221A1",
      "ST*835*0001",
      ...body,
      `SE*${body.length + 2 + claims * 4}*0001`,
      "GE*1*101",
      "IEA*1*000000101",
    ];
    return `${lines.join("~\n")}~\n`;
  };

  it("is linear: four times the claims take at most 8x the time, where quadratic work would take 16x (measured side by side)", () => {
    // A factor of four between the sizes keeps linear (4x) and quadratic (16x) far apart, so the
    // garbage collector and a shared machine cannot push a linear parser over the bound.
    const small = remittance(2_500);
    const large = remittance(10_000);
    // CPU time of this process: the machine is shared, wall time would count other processes.
    const cpuMs = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    const time = (text: string) => {
      const started = cpuMs();
      const result = parseX12_835(text);
      return { ms: cpuMs() - started, result };
    };
    time(small); // warm-up
    // The fastest of three interleaved runs of each: the minimum is the parser's own cost.
    const runs = { small: [] as number[], large: [] as number[] };
    for (let i = 0; i < 3; i += 1) {
      runs.small.push(time(small).ms);
      runs.large.push(time(large).ms);
    }
    const ratio = Math.min(...runs.large) / Math.min(...runs.small);
    const { result } = time(large);
    expect(result.errors).toEqual([]);
    expect(result.lines).toHaveLength(10_000);
    expect(ratio).toBeLessThan(8);
  });
});
