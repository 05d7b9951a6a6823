import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/server/db/client";
import { queryCellMetrics } from "@/server/services/detection/query-cell-metrics";
import { queryRootCauseAggregates } from "@/server/services/detection/root-cause/query-root-cause-aggregates";
import { uploadFeeSchedule } from "@/server/services/fee-schedules/upload-fee-schedule";
import { ingestClaimsBatch, ZIngestClaimsInput } from "@/server/services/ingestion/ingest-claims-batch";
import { ingestionLimits } from "@/server/services/ingestion/ingestion-limits";
import { createTestCustomer } from "@/test/factories";
import { listUnderpayments } from "./list-underpayments";
import { contractedLinesSql } from "./open-underpayments-sql";

/**
 * Expected payment by modifier, through the one SQL definition (expected-payment-sql.ts) as the
 * worklist, detection's aggregate and the root cause read it. A chest X-ray (71046) contracted at
 * $100 globally, $30 for the professional component (26, only from 2025-06-01) and $70 for the
 * technical component (TC): each line's expected amount, whether it is underpaid, and the
 * aggregates follow the rate its modifiers select, falling back to the plain rate.
 */

const actor = { userId: null, apiKeyId: null, label: "test", requestId: null, ip: null };
const day = (iso: string, offset: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const RADIOLOGY = "Radiology Mutual";
const PRO_ONLY = "Professional Only Plan";
const WINDOWS = { baselineStart: "2025-01-01", baselineEnd: "2025-08-31", currentStart: "2025-09-01", currentEnd: "2025-12-31" };

type TCase = {
  id: string;
  payer: string;
  modifier?: string;
  serviceDate?: string;
  allowed: string;
  expected: string | null;
  underpaid: boolean;
  /** The modifier of the rate applied, when not the plain one. */
  rateModifier?: string;
};

// expected null: no contract (never underpaid, whatever was allowed).
const CASES: TCase[] = [
  { id: "PRO-UNDER", payer: RADIOLOGY, modifier: "26", allowed: "25.00", expected: "30.00", underpaid: true, rateModifier: "26" },
  // At the 26 rate: under the plain rate ($100) it would read as $70 underpaid.
  { id: "PRO-AT", payer: RADIOLOGY, modifier: "26", allowed: "30.00", expected: "30.00", underpaid: false },
  { id: "PLAIN-AT", payer: RADIOLOGY, allowed: "100.00", expected: "100.00", underpaid: false },
  { id: "PLAIN-UNDER", payer: RADIOLOGY, allowed: "90.00", expected: "100.00", underpaid: true },
  // 59 has no rate of its own: the plain rate applies.
  { id: "NO-SPECIFIC-RATE", payer: RADIOLOGY, modifier: "59", allowed: "90.00", expected: "100.00", underpaid: true },
  // The pricing modifier need not come first.
  { id: "SECOND-POSITION", payer: RADIOLOGY, modifier: "59:26", allowed: "25.00", expected: "30.00", underpaid: true, rateModifier: "26" },
  // Rates for two of its modifiers: the first in billed order wins (TC, $70; at $30 it would be within tolerance).
  { id: "FIRST-WINS", payer: RADIOLOGY, modifier: "TC:26", allowed: "29.00", expected: "70.00", underpaid: true, rateModifier: "TC" },
  // Served before the 26 rate took effect: the plain rate.
  { id: "BEFORE-26-RATE", payer: RADIOLOGY, modifier: "26", serviceDate: "2025-03-01", allowed: "50.00", expected: "100.00", underpaid: true },
  // A payer contracted for 26 only: lines without it have no contract.
  { id: "ONLY-26-PLAIN", payer: PRO_ONLY, allowed: "10.00", expected: null, underpaid: false },
  { id: "ONLY-26-LT", payer: PRO_ONLY, modifier: "LT", allowed: "10.00", expected: null, underpaid: false },
  { id: "ONLY-26-AT", payer: PRO_ONLY, modifier: "26", allowed: "30.00", expected: "30.00", underpaid: false },
];

let customerId: string;
const claimId = (id: string) => `MOD-${id}`;

beforeAll(async () => {
  customerId = (await createTestCustomer()).id;
  await uploadFeeSchedule(customerId, actor, {
    filename: "radiology.csv",
    text: [
      "payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo",
      `${RADIOLOGY},71046,,100.00,2025-01-01,`,
      `${RADIOLOGY},71046,26,30.00,2025-06-01,`,
      `${RADIOLOGY},71046,TC,70.00,2025-01-01,`,
      `${PRO_ONLY},71046,26,30.00,2025-01-01,`,
    ].join("\n"),
  });
  const lines = CASES.map((c) => {
    const serviceDate = c.serviceDate ?? "2025-09-01";
    return {
      submitterClaimId: claimId(c.id),
      lineNumber: 1,
      payerName: c.payer,
      cptCode: "71046",
      ...(c.modifier ? { modifier: c.modifier } : {}),
      serviceDate,
      submittedAt: day(serviceDate, 2),
      decidedAt: day(serviceDate, 10),
      paidAt: day(serviceDate, 10),
      billedAmount: "400.00",
      allowedAmount: c.allowed,
      paidAmount: c.allowed,
      outcome: "PAID",
    };
  });
  const parsed = ZIngestClaimsInput.parse({ lines });
  const result = await ingestClaimsBatch(customerId, actor, { lines: parsed.lines, idempotencyKey: randomUUID() }, ingestionLimits());
  expect(result.upload.status).toBe("APPLIED");
}, 120_000);

describe("expected payment by modifier", () => {
  it("each line takes the rate of its modifier when one applies on its service date, else the plain rate, else none", async () => {
    const rows = await db().$queryRaw<Array<{ submitter_claim_id: string; expected: Prisma.Decimal; underpaid: boolean }>>(contractedLinesSql(customerId, {}));
    const byId = new Map(rows.map((row) => [row.submitter_claim_id, row]));
    // One row per line at most: a line never joins two rates.
    expect(rows).toHaveLength(byId.size);
    for (const c of CASES) {
      const row = byId.get(claimId(c.id));
      expect({ id: c.id, expected: row ? row.expected.toFixed(2) : null, underpaid: row?.underpaid ?? false }).toEqual({
        id: c.id,
        expected: c.expected,
        underpaid: c.underpaid,
      });
    }
  });

  it("the worklist holds exactly the underpaid lines with their modifier's expected amount and the rate's modifier", async () => {
    const page = await listUnderpayments(customerId, { limit: 100 });
    const worklist = Object.fromEntries(page.items.map((item) => [item.submitterClaimId, [item.expectedAmount, item.variance, item.rateModifier]]));
    const wanted = Object.fromEntries(
      CASES.filter((c) => c.underpaid).map((c) => [claimId(c.id), [c.expected, (Number(c.expected) - Number(c.allowed)).toFixed(2), c.rateModifier ?? ""]]),
    );
    expect(worklist).toEqual(wanted);
  });

  it("detection's aggregate and the root cause count the same lines with the same variance", async () => {
    const metrics = await queryCellMetrics(db(), customerId, WINDOWS);
    const payers = await db().payerMapping.findMany({ where: { customerId }, select: { payerId: true, rawName: true } });
    const payerId = (name: string) => payers.find((p) => p.rawName === name)!.payerId;
    const totals = (name: string, current: boolean) =>
      metrics.underpayments
        .filter((row) => row.payerId === payerId(name) && row.current === current)
        .reduce(
          (sum, row) => ({ lines: sum.lines + Number(row.lines), underpaid: sum.underpaid + Number(row.underpaid), variance: sum.variance + row.varianceSum }),
          {
            lines: 0,
            underpaid: 0,
            variance: 0,
          },
        );
    const expectedTotals = (name: string, current: boolean) => {
      const cases = CASES.filter((c) => c.payer === name && c.expected !== null && (c.serviceDate ?? "2025-09-01") >= WINDOWS.currentStart === current);
      return {
        lines: cases.length,
        underpaid: cases.filter((c) => c.underpaid).length,
        variance: cases.reduce((sum, c) => sum + Number(c.expected) - Number(c.allowed), 0),
      };
    };
    for (const name of [RADIOLOGY, PRO_ONLY]) {
      for (const current of [false, true]) expect(totals(name, current)).toEqual(expectedTotals(name, current));
    }
    // 71 = 5 + 0 + 0 + 10 + 10 + 5 + 41 in the current window, 50 in the baseline: not the plain rate's numbers.
    expect(totals(RADIOLOGY, true).variance).toBe(71);

    const cptGroup = metrics.underpayments.find((row) => row.payerId === payerId(RADIOLOGY))!.cptGroup;
    const causes = await queryRootCauseAggregates(db(), customerId, WINDOWS, [
      { key: "k", payerId: payerId(RADIOLOGY), cptGroup, driftType: "UNDERPAYMENT", denialReason: null },
    ]);
    const cause = causes.get("k")!;
    expect([cause.baseline.metric.n, cause.baseline.metric.sum]).toEqual([1, 50]);
    expect([cause.current.metric.n, cause.current.metric.sum]).toEqual([7, 71]);
  });
});
