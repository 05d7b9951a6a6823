import { describe, expect, it } from "vitest";
import { readAmount, readProviderAdjustments } from "./x12-835-plb";
import { tokenizeX12 } from "./x12-tokenizer";

/**
 * The PLB reader on hand-written transaction sets, read by the real tokenizer: every pair that
 * is usable becomes an adjustment with its sign kept, every one that is not becomes one skipped
 * item naming its element, and the reader never throws.
 */

const ISA = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240501*1000*^*00501*000000101*0*P*:";

function transactionSet(body: string[], options: { isa?: string; bpr?: string; dtm405?: string | null } = {}) {
  const header = [
    "ST*835*0001",
    options.bpr ?? "BPR*H*0*C*NON************20240503",
    "TRN*1*12345*1512345678",
    ...(options.dtm405 === null ? [] : [options.dtm405 ?? "DTM*405*20240501"]),
    "N1*PR*ACME HEALTH PLAN",
    "N1*PE*CLINIC*XX*1234567893",
  ];
  const segments = [...header, ...body];
  const text = [
    options.isa ?? ISA,
    "GS*HP*PAYERSENDER*CLINICRECV*20240501*1000*1*X*005010X221A1",
    ...segments,
    `SE*${segments.length + 1}*0001`,
    "GE*1*1",
    "IEA*1*000000101",
  ].join("~\n");
  const { segments: tokens, errors } = tokenizeX12(`${text}~\n`);
  expect(errors).toEqual([]);
  return tokens;
}

/** The file line of the nth PLB segment (1-based). */
function plbLine(tokens: ReturnType<typeof transactionSet>, nth = 1): number {
  return tokens.filter((segment) => segment.id === "PLB")[nth - 1]!.index;
}

describe("readProviderAdjustments", () => {
  it("reads every pair of a PLB with its sign, reference and the payment date", () => {
    const tokens = transactionSet(["PLB*1234567893*20241231*WO:CLAIM991*250.00*L6*-12.5*FB:PRIOR-RA-7*100*72:REFUND22*-40.10*CS:A1*0*J1*3"]);
    const { adjustments, skipped } = readProviderAdjustments(tokens);
    expect(skipped).toEqual([]);
    const line = plbLine(tokens);
    const common = { line, providerIdentifier: "1234567893", fiscalPeriodDate: "2024-12-31", remittanceDate: "2024-05-03" };
    expect(adjustments).toEqual([
      { ...common, reasonCode: "WO", reference: "CLAIM991", amount: "250.00" },
      { ...common, reasonCode: "L6", amount: "-12.50" },
      { ...common, reasonCode: "FB", reference: "PRIOR-RA-7", amount: "100.00" },
      { ...common, reasonCode: "72", reference: "REFUND22", amount: "-40.10" },
      { ...common, reasonCode: "CS", reference: "A1", amount: "0.00" },
      { ...common, reasonCode: "J1", amount: "3.00" },
    ]);
  });

  it("reads several PLB segments and returns nothing when there is none", () => {
    const tokens = transactionSet(["PLB*111*20241231*WO:A*10", "PLB*222*20240630*L6*-1.05"]);
    const { adjustments } = readProviderAdjustments(tokens);
    expect(adjustments.map((a) => [a.line, a.providerIdentifier, a.fiscalPeriodDate, a.reasonCode, a.amount])).toEqual([
      [plbLine(tokens, 1), "111", "2024-12-31", "WO", "10.00"],
      [plbLine(tokens, 2), "222", "2024-06-30", "L6", "-1.05"],
    ]);
    expect(readProviderAdjustments(transactionSet([]))).toEqual({ adjustments: [], skipped: [] });
  });

  it("dates the money by BPR16, else DTM*405, else the fiscal period date", () => {
    const noPaymentDate = transactionSet(["PLB*1*20241231*WO*5"], { bpr: "BPR*H*0*C*NON" });
    expect(readProviderAdjustments(noPaymentDate).adjustments[0]?.remittanceDate).toBe("2024-05-01");
    const neither = transactionSet(["PLB*1*20241231*WO*5"], { bpr: "BPR*H*0*C*NON************20241399", dtm405: null });
    expect(readProviderAdjustments(neither).adjustments[0]?.remittanceDate).toBe("2024-12-31");
  });

  it("uses the component separator the ISA declares", () => {
    const isa = ISA.replace(/:$/, ">");
    const tokens = transactionSet(["PLB*1234567893*20241231*WO>CLAIM1*75.25*CS>X:Y*-1"], { isa });
    const { adjustments, skipped } = readProviderAdjustments(tokens);
    expect(skipped).toEqual([]);
    expect(adjustments.map((a) => [a.reasonCode, a.reference, a.amount])).toEqual([
      ["WO", "CLAIM1", "75.25"],
      ["CS", "X:Y", "-1.00"],
    ]);
  });

  it("skips each unusable pair with its reason and keeps the others", () => {
    const tokens = transactionSet([
      // placeholder reason · amount missing · not a number · three decimals · reason missing · good
      "PLB*1234567893*20241231*resnCode:adjID*5*WO:R1**L6*1O.00*FB*1.005**9*72:R2*-8",
      // amount of eleven integer digits · reference of 51 characters · lower-case reason
      `PLB*1234567893*20241231*WO*12345678901*CS:${"R".repeat(51)}*1*wo*1`,
    ]);
    const { adjustments, skipped } = readProviderAdjustments(tokens);
    const [first, second] = [plbLine(tokens, 1), plbLine(tokens, 2)];
    expect(adjustments.map((a) => [a.line, a.reasonCode, a.amount])).toEqual([[first, "72", "-8.00"]]);
    expect(skipped).toEqual([
      { line: first, field: "PLB03", message: "adjustment reason code is not a two-character X12 code; the adjustment is skipped" },
      { line: first, field: "PLB06", message: "adjustment has no amount; it is skipped" },
      { line: first, field: "PLB08", message: "adjustment amount is not an X12 decimal amount; the adjustment is skipped" },
      { line: first, field: "PLB10", message: "adjustment amount has more than two decimal places; the adjustment is skipped" },
      { line: first, field: "PLB11", message: "adjustment has an amount but no reason code; it is skipped" },
      { line: second, field: "PLB04", message: "adjustment amount is too large; the adjustment is skipped" },
      { line: second, field: "PLB05", message: "adjustment reference is longer than 50 characters; the adjustment is skipped" },
      { line: second, field: "PLB07", message: "adjustment reason code is not a two-character X12 code; the adjustment is skipped" },
    ]);
  });

  it("skips a whole PLB whose provider or fiscal period date is unusable, with one item", () => {
    const tokens = transactionSet(["PLB**20241231*WO*5*L6*-1", "PLB*1234567893*20240230*WO*5", "PLB*1234567893*2024123*WO*5", "PLB*1234567893*20241231*WO*5"]);
    const { adjustments, skipped } = readProviderAdjustments(tokens);
    expect(skipped).toEqual([
      { line: plbLine(tokens, 1), field: "PLB01", message: "provider adjustment has no provider identifier; its adjustments are skipped" },
      { line: plbLine(tokens, 2), field: "PLB02", message: "fiscal period date is not a valid date (CCYYMMDD); its adjustments are skipped" },
      { line: plbLine(tokens, 3), field: "PLB02", message: "fiscal period date is not a valid date (CCYYMMDD); its adjustments are skipped" },
    ]);
    expect(adjustments.map((a) => a.line)).toEqual([plbLine(tokens, 4)]);
  });

  it("reads the first six pairs and skips what follows PLB14", () => {
    const tokens = transactionSet(["PLB*1*20241231*WO*1*WO*2*WO*3*WO*4*WO*5*WO*6*WO*7"]);
    const { adjustments, skipped } = readProviderAdjustments(tokens);
    expect(adjustments.map((a) => a.amount)).toEqual(["1.00", "2.00", "3.00", "4.00", "5.00", "6.00"]);
    expect(skipped).toEqual([
      { line: plbLine(tokens), field: "PLB15", message: "a PLB segment holds at most six adjustments; the elements after PLB14 are skipped" },
    ]);
  });

  it("ignores empty trailing pairs", () => {
    const tokens = transactionSet(["PLB*1002*20211216*WO:ADJ1*5***"]);
    expect(readProviderAdjustments(tokens)).toMatchObject({ skipped: [], adjustments: [{ reasonCode: "WO", reference: "ADJ1", amount: "5.00" }] });
  });

  it("never repeats the offending value in a message (uploads carry PHI)", () => {
    const secret = "SECRET77";
    const tokens = transactionSet([`PLB*${secret}*${secret}*WO*5`, `PLB*1*20241231*${secret}:${secret}*5*WO:${secret.repeat(7)}*1*WO*${secret}`]);
    const { skipped } = readProviderAdjustments(tokens);
    expect(skipped.length).toBe(4);
    for (const item of skipped) expect(item.message).not.toContain(secret);
  });
});

describe("readAmount", () => {
  it("turns X12 decimals into canonical money with the sign kept", () => {
    const cases: [string, string][] = [
      ["0", "0.00"],
      ["-0", "0.00"],
      ["12", "12.00"],
      ["12.", "12.00"],
      [".5", "0.50"],
      ["-1.27", "-1.27"],
      ["000123.40", "123.40"],
      ["1.2500", "1.25"],
      ["9999999999.99", "9999999999.99"],
    ];
    for (const [text, value] of cases) expect(readAmount(text), text).toEqual({ ok: true, value });
  });

  it("refuses what is not an amount", () => {
    for (const text of ["", "-", ".", "1.2.3", "+5", "1,000", "1e3", " 5", "--1", "12345678901", "0.001"]) {
      expect(readAmount(text).ok, text).toBe(false);
    }
  });

  it("costs time in proportion to the input, for pathological shapes too", () => {
    const shapes = [(n: number) => `${"0".repeat(n)}x`, (n: number) => `1.${"0".repeat(n)}x`, (n: number) => `-${"0".repeat(n)}.`];
    // The fastest of interleaved runs, each well under a scheduler time slice: on a shared,
    // loaded machine a longer run is preempted and measures other processes' time, not this code's.
    const time = (text: string) => {
      const started = performance.now();
      readAmount(text);
      return performance.now() - started;
    };
    for (const shape of shapes) {
      // Flat strings, as text decoded from an upload is (a concatenation is a rope until read).
      const [small, large] = [Buffer.from(shape(1 << 17)).toString("latin1"), Buffer.from(shape(1 << 18)).toString("latin1")];
      time(small); // warm-up
      let [bestSmall, bestLarge] = [Infinity, Infinity];
      for (let i = 0; i < 25; i += 1) {
        bestSmall = Math.min(bestSmall, time(small));
        bestLarge = Math.min(bestLarge, time(large));
      }
      const ratio = bestLarge / bestSmall;
      expect(ratio, `doubling the input multiplied the time by ${ratio.toFixed(2)}`).toBeLessThan(3);
    }
  });
});
