import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZClaimLineInput } from "./claim-line-input";
import { fastClaimLine } from "./fast-claim-line";

// Cells as a CSV row gives them: canonical values, unusual-but-valid forms that only zod
// accepts, and broken ones; each optional column is sometimes absent.
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const isoDate = fc
  .record({ year: fc.integer({ min: 1890, max: 2110 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }) })
  .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
const dateCell = fc.oneof(
  { weight: 6, arbitrary: isoDate },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "2024-02-29",
      "2023-02-29",
      "2100-02-29",
      "2000-02-29",
      "1900-01-01",
      "03/05/2024",
      "2024-03-05T10:00:00Z",
      " 2024-03-05 ",
      "2024-3-5",
      "",
      "x",
    ),
  },
);
const moneyCell = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 99_999 }).map((cents) => `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 5000 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("$1,234.50", "0012.30", ".5", "7.", "-5", "(5.00)", "1.005", "12345678901.00", "9999999999.99", "0", "00", " 12.00 ", "1e3", ""),
  },
);
const textCell = (max: number) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ minLength: max - 2, maxLength: max + 2 }) },
    { weight: 1, arbitrary: fc.constantFrom(" ", "a\u0001b", "x\u0085", "\u007f", " padded ", "é\uD83D\uDE00") },
  );
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

const rowCells = {
  submitterClaimId: textCell(64),
  lineNumber: fc.oneof(
    fc.integer({ min: 0, max: 40 }).map(String),
    fc.constantFrom("01", "1.0", "2147483647", "2147483648", "99999999999", " 3 ", "-1", "x", ""),
  ),
  payerName: textCell(200),
  cptCode: fc.constantFrom("99213", "g0101", "0001U", "3008F", " 99214 ", "9921", "ABCDE", "99213X", ""),
  modifier: optional(
    fc.oneof(
      fc.constantFrom("26", "tc", " 25 , 59 ", "25:59:XU:GA", "25:59:XU:GA:LT", "26:26", "26;26;26;26;26", "2X6", "2", "2-6", "  ", ":", "Ä1", "2\u00016"),
      fc
        .array(fc.constantFrom("26", "TC", "lt", "59", "x", "ABC", ""), { maxLength: 6 })
        .chain((codes) => fc.constantFrom(":", ",", " ", ";", ", ").map((separator) => codes.join(separator))),
    ),
  ),
  units: optional(fc.constantFrom("1", "2", "0.5", "1.25", "0", "0.001", "01", "1e2", "-1", "99999999", "x")),
  serviceDate: dateCell,
  submittedAt: dateCell,
  decidedAt: dateCell,
  paidAt: optional(dateCell),
  billedAmount: moneyCell,
  allowedAmount: optional(moneyCell),
  paidAmount: optional(moneyCell),
  outcome: fc.constantFrom("PAID", "denied", " Partial ", "OTHER", "PAYED", ""),
  denialReason: optional(fc.constantFrom("CO-50", "pr - 204", "OA-A1", "PI-P12", "CR-1234", "XX-50", "CO50", "")),
  remarkCodes: optional(fc.constantFrom("N130", "N130, MA01", "n130;ma01 N130", "TOOLONG1", ",", "M15;;M15", "")),
  payerClaimNumber: optional(textCell(64)),
  patientAccount: optional(textCell(64)),
};
const row = fc.record(rowCells);

/** A row as the CSV reader hands it over: an empty cell is an absent key. */
function candidate(cells: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(cells)) if (value !== undefined && value !== "") out[key] = value;
  return out;
}

/** The row an exporter writes: canonical cells only, always valid. */
function canonicalCells({
  claim,
  line,
  billedCents,
  paidShare,
  day,
  denied,
}: {
  claim: number;
  line: number;
  billedCents: number;
  paidShare: number;
  day: number;
  denied: boolean;
}): Record<string, string | undefined> {
  const date = (offset: number) => new Date(Date.UTC(2020, 0, 1) + (day + offset) * 86_400_000).toISOString().slice(0, 10);
  const money = (cents: number) => `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`;
  return {
    submitterClaimId: `CLM-${claim}`,
    lineNumber: String(line),
    payerName: "Blue Cross Blue Shield",
    cptCode: "99213",
    modifier: claim % 3 === 0 ? "26" : claim % 3 === 1 ? "25:59" : undefined,
    units: "1",
    serviceDate: date(0),
    submittedAt: date(2),
    decidedAt: date(20),
    paidAt: denied ? undefined : date(25),
    billedAmount: money(billedCents),
    allowedAmount: denied ? undefined : money(Math.floor(billedCents * 0.8)),
    paidAmount: money(denied ? 0 : Math.floor(billedCents * paidShare)),
    outcome: denied ? "DENIED" : "PAID",
    denialReason: denied ? "CO-50" : undefined,
    remarkCodes: denied ? "N130" : undefined,
    payerClaimNumber: `ICN-${claim}`,
    patientAccount: `ACCT-${claim % 50_000}`,
  };
}

const canonicalRow = fc
  .record({
    claim: fc.integer({ min: 1, max: 10_000_000 }),
    line: fc.integer({ min: 1, max: 999 }),
    billedCents: fc.integer({ min: 0, max: 10_000_000 }),
    paidShare: fc.double({ min: 0, max: 1, noNaN: true }),
    day: fc.integer({ min: 0, max: 3000 }),
    denied: fc.boolean(),
  })
  .map(canonicalCells);

// A wholly random row is rarely valid (every cell must be, and the dates in order), so the
// property also sees canonical rows with one cell replaced by a generated one: the fast path's
// accept-and-agree side is exercised on every run, not by luck.
const nearCanonicalRow = fc
  .tuple(canonicalRow, row, fc.constantFrom(...(Object.keys(rowCells) as (keyof typeof rowCells)[])))
  .map(([base, wild, key]) => ({ ...base, [key]: wild[key] }));

describe("fastClaimLine", () => {
  it("never accepts what zod rejects, and accepts with zod's exact normalised value", () => {
    let fastAccepted = 0;
    fc.assert(
      fc.property(fc.oneof(row, nearCanonicalRow), (cells) => {
        const input = candidate(cells);
        const fast = fastClaimLine(input);
        const zod = ZClaimLineInput.safeParse(input);
        if (fast !== undefined) {
          fastAccepted += 1;
          expect(zod.success).toBe(true);
          expect(fast).toStrictEqual(zod.data);
        }
        // What the CSV reader yields: the fast value, else zod's own result.
        const combined = fast !== undefined ? { success: true, data: fast } : zod;
        expect(combined.success).toBe(zod.success);
      }),
      { numRuns: 5000 },
    );
    expect(fastAccepted).toBeGreaterThan(0);
  });

  it("takes the canonical rows the exporters write", () => {
    fc.assert(
      fc.property(canonicalRow, (cells) => {
        const input = candidate(cells);
        const fast = fastClaimLine(input);
        expect(fast).toBeDefined();
        expect(fast).toStrictEqual(ZClaimLineInput.parse(input));
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves non-string values and unknown keys to zod", () => {
    expect(fastClaimLine({ submitterClaimId: "C", lineNumber: 1 })).toBeUndefined();
    expect(fastClaimLine({ extra: "x" })).toBeUndefined();
  });
});
