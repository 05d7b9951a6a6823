import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { ZClaimLineInput, type TClaimLineInput } from "@/server/services/ingestion/parse/claim-line-input";
import { applyClaimLines } from "@/server/services/ingestion/apply-claim-lines";
import { claimLineInput } from "@/test/claim-csv";
import { createTestCustomer } from "@/test/factories";
import { queryCellMetrics, type TCellMetrics } from "./query-cell-metrics";
import { mannWhitneyFromRankSum, mannWhitneyU, median } from "./statistics";

/**
 * The PAYMENT_AMOUNT statistics SQL computes in the database (ratios to the baseline median of
 * the same payer and code, their rank sum and tie term, medians, log means and variances) must
 * be what the JavaScript reference gives on the same claim lines: the rank-sum kernel fed by the
 * SQL's sums equals `mannWhitneyU` on the ratios recomputed here from the generated lines.
 *
 * The lines are generated from a fixed seed (deterministic, not a search for luck) with many
 * ties: allowed amounts are whole dollars from a small set, some lines carry 2 units at twice
 * the amount. Whole dollars keep every ratio an exact double division on both sides.
 */

const WINDOWS = { baselineStart: "2024-01-01", baselineEnd: "2024-03-31", currentStart: "2024-04-01", currentEnd: "2024-04-30" };
const CODES = ["99213", "99214"] as const;

interface TGeneratedLine {
  code: (typeof CODES)[number];
  current: boolean;
  dollarsPerUnit: number;
  units: 1 | 2;
  day: number;
}

const generatedLine = fc.record({
  code: fc.constantFrom(...CODES),
  current: fc.boolean(),
  dollarsPerUnit: fc.integer({ min: 80, max: 95 }),
  units: fc.constantFrom(1 as const, 2 as const),
  day: fc.integer({ min: 1, max: 28 }),
});
// Every code has baseline lines (so it has a median) and every window holds lines of both codes.
const cellLines = fc
  .tuple(
    ...CODES.flatMap((code) =>
      [true, false].map((current) =>
        fc.array(
          generatedLine.map((line) => ({ ...line, code, current })),
          { minLength: 1, maxLength: 4 },
        ),
      ),
    ),
    fc.array(generatedLine, { minLength: 10, maxLength: 60 }),
  )
  .map((parts) => parts.flat());
const CELLS = fc.sample(cellLines, { seed: 20261204, numRuns: 8 });

function toInput(line: TGeneratedLine, payerName: string): TClaimLineInput {
  const decidedAt = `2024-${line.current ? "04" : "02"}-${String(line.day).padStart(2, "0")}`;
  return ZClaimLineInput.parse(
    claimLineInput({
      payerName,
      cptCode: line.code,
      units: line.units,
      serviceDate: "2024-01-01",
      submittedAt: "2024-01-01",
      decidedAt,
      paidAt: decidedAt,
      billedAmount: `${line.dollarsPerUnit * line.units + 50}.00`,
      allowedAmount: `${line.dollarsPerUnit * line.units}.00`,
      paidAmount: `${line.dollarsPerUnit * line.units}.00`,
      outcome: "PAID",
    }),
  );
}

/** The ratios of one cell as the SQL defines them, recomputed from the generated lines. */
function referenceRatios(lines: TGeneratedLine[]): { baseline: number[]; current: number[] } {
  const baselineMedian = new Map(CODES.map((code) => [code, median(lines.filter((l) => l.code === code && !l.current).map((l) => l.dollarsPerUnit))]));
  const ratio = (line: TGeneratedLine) => (line.dollarsPerUnit * line.units) / line.units / baselineMedian.get(line.code)!;
  return { baseline: lines.filter((l) => !l.current).map(ratio), current: lines.filter((l) => l.current).map(ratio) };
}

function sampleVariance(values: number[]): number {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
}

describe("cell metrics SQL against the JavaScript statistics", () => {
  const payerNames = CELLS.map((_, index) => `Rank Sum Payer ${index + 1}`);
  let metrics: TCellMetrics;
  let payerIds: Map<string, string>;

  beforeAll(async () => {
    const customer = await createTestCustomer();
    const items = (async function* () {
      let line = 0;
      for (const [index, lines] of CELLS.entries())
        for (const generated of lines) yield { kind: "line" as const, line: ++line, value: toInput(generated, payerNames[index]!) };
    })();
    const meta = {
      format: "JSON" as const,
      filename: "rank-sums.json",
      sizeBytes: 1,
      contentHash: `rank-sums-${customer.id}`,
      createdById: null,
      apiKeyId: null,
    };
    const applied = await applyClaimLines(customer.id, meta, items, { maxBytes: 1 << 20, maxRows: 10_000 });
    expect(applied.upload.status).toBe("APPLIED");
    metrics = await queryCellMetrics(db(), customer.id, WINDOWS);
    const payers = await db().payer.findMany({ where: { customerId: customer.id }, select: { id: true, name: true } });
    payerIds = new Map(payers.map((payer) => [payer.name, payer.id]));
  });

  it("gives the rank sum, tie term, medians and log moments of the ratios that mannWhitneyU and the reference compute", () => {
    expect(metrics.payments).toHaveLength(CELLS.length);
    for (const [index, lines] of CELLS.entries()) {
      const row = metrics.payments.find((payment) => payment.payerId === payerIds.get(payerNames[index]!));
      expect(row, payerNames[index]).toBeDefined();
      const { baseline, current } = referenceRatios(lines);
      // Ties are the point of the comparison: fail loudly if the generator stopped producing them.
      expect(new Set([...baseline, ...current]).size).toBeLessThan(baseline.length + current.length);

      const fromSql = mannWhitneyFromRankSum({ nA: Number(row!.nA), nB: Number(row!.nB), rankSumA: Number(row!.rankSumA), tieTerm: Number(row!.tieTerm) });
      const reference = mannWhitneyU(baseline, current);
      expect([Number(row!.nA), Number(row!.nB)]).toEqual([baseline.length, current.length]);
      expect(fromSql.u).toBeCloseTo(reference.u, 9);
      expect(fromSql.z).toBeCloseTo(reference.z, 9);
      expect(fromSql.pValue).toBeCloseTo(reference.pValue, 9);

      expect(Number(row!.medianA)).toBeCloseTo(median(baseline), 12);
      expect(Number(row!.medianB)).toBeCloseTo(median(current), 12);
      const logA = baseline.map(Math.log);
      const logB = current.map(Math.log);
      expect(Number(row!.meanLogA)).toBeCloseTo(logA.reduce((sum, v) => sum + v, 0) / logA.length, 12);
      expect(Number(row!.meanLogB)).toBeCloseTo(logB.reduce((sum, v) => sum + v, 0) / logB.length, 12);
      if (logA.length > 1) expect(Number(row!.varLogA)).toBeCloseTo(sampleVariance(logA), 12);
      if (logB.length > 1) expect(Number(row!.varLogB)).toBeCloseTo(sampleVariance(logB), 12);
    }
  });
});
