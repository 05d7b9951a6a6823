import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { uploadFeeSchedule } from "@/server/services/fee-schedules/upload-fee-schedule";
import { ingestClaimsBatch, ZIngestClaimsInput } from "@/server/services/ingestion/ingest-claims-batch";
import { ingestionLimits } from "@/server/services/ingestion/ingestion-limits";
import { listUnderpayments } from "@/server/services/underpayments/list-underpayments";
import { createTestCustomer } from "@/test/factories";
import { ZRootCause } from "./root-cause/root-cause-shape";
import { runDetection } from "./run-detection";

/**
 * UNDERPAYMENT drift on planted data: one payer starts paying 85 % of contract for one code in
 * the last 14 days. The run finds exactly that cell with the right type, shares and monthly
 * dollars, and the worklist carries those lines with the right variance; a payer paying at
 * contract and a payer without any contract (paying far below what others get) are never
 * flagged UNDERPAYMENT.
 */

const AS_OF = "2026-03-02"; // current window 2026-02-16..2026-03-01, baseline the 90 days before
const actor = { userId: null, apiKeyId: null, label: "test", requestId: null, ip: null };
const day = (iso: string, offset: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

type TLine = { payerName: string; cptCode: string; decidedAt: string; allowed: string; outcome?: "PAID" | "DENIED" };

function claimLines(lines: TLine[]) {
  return lines.map((line, i) => ({
    submitterClaimId: `UP-${randomUUID().slice(0, 8)}-${i}`,
    lineNumber: 1,
    payerName: line.payerName,
    cptCode: line.cptCode,
    units: 1,
    serviceDate: day(line.decidedAt, -10),
    submittedAt: day(line.decidedAt, -8),
    decidedAt: line.decidedAt,
    billedAmount: "400.00",
    allowedAmount: line.outcome === "DENIED" ? "0.00" : line.allowed,
    paidAmount: line.outcome === "DENIED" ? "0.00" : line.allowed,
    outcome: line.outcome ?? "PAID",
    ...(line.outcome === "DENIED" ? { denialReason: "CO-50" } : { paidAt: line.decidedAt }),
  }));
}

/** `n` decision dates spread evenly over [from, from + days). */
const spread = (n: number, from: string, days: number) => Array.from({ length: n }, (_, i) => day(from, Math.floor((i * days) / n)));

let customerId: string;
const under = "Underpaying Mutual";
const fair = "Fair Health Plan";
const uncontracted = "No Contract Assurance";

beforeAll(async () => {
  customerId = (await createTestCustomer()).id;
  await uploadFeeSchedule(customerId, actor, {
    filename: "contracts.csv",
    text: [
      "payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo",
      `${under},99213,,100.00,2025-01-01,`,
      `${under},99214,,150.00,2025-01-01,`,
      `${fair},99213,,100.00,2025-01-01,`,
      `${fair},99214,,150.00,2025-01-01,`,
    ].join("\n"),
  });
  const lines: TLine[] = [];
  for (const payerName of [under, fair]) {
    // Baseline: both codes at contract.
    for (const decidedAt of spread(200, "2025-11-18", 90)) lines.push({ payerName, cptCode: "99213", decidedAt, allowed: "100.00" });
    for (const decidedAt of spread(100, "2025-11-18", 90)) lines.push({ payerName, cptCode: "99214", decidedAt, allowed: "150.00" });
    // Current: 99214 still at contract, 99213 at contract except for the underpaying payer.
    for (const decidedAt of spread(40, "2026-02-16", 14)) lines.push({ payerName, cptCode: "99214", decidedAt, allowed: "150.00" });
    for (const decidedAt of spread(80, "2026-02-16", 14))
      lines.push({ payerName, cptCode: "99213", decidedAt, allowed: payerName === under ? "85.00" : "100.00" });
    // Denials are denials, never underpayments.
    for (const decidedAt of spread(10, "2026-02-16", 14)) lines.push({ payerName, cptCode: "99213", decidedAt, allowed: "0.00", outcome: "DENIED" });
  }
  // No fee schedule for this payer: its fall from 100 to 60 is PAYMENT_AMOUNT business, not UNDERPAYMENT.
  for (const decidedAt of spread(200, "2025-11-18", 90)) lines.push({ payerName: uncontracted, cptCode: "99213", decidedAt, allowed: "100.00" });
  for (const decidedAt of spread(80, "2026-02-16", 14)) lines.push({ payerName: uncontracted, cptCode: "99213", decidedAt, allowed: "60.00" });
  const parsed = ZIngestClaimsInput.parse({ lines: claimLines(lines) });
  await ingestClaimsBatch(customerId, actor, { lines: parsed.lines, idempotencyKey: randomUUID() }, ingestionLimits());
}, 120_000);

describe("UNDERPAYMENT detection", () => {
  it("finds the planted underpayment in its cell with its shares and monthly dollars, and nothing else", async () => {
    const outcome = await runDetection(customerId, { asOf: AS_OF });
    expect(outcome.summary.status).toBe("OK");
    const events = await db().driftEvent.findMany({
      where: { customerId, driftType: "UNDERPAYMENT", status: "ACTIVE" },
      include: { payer: { select: { name: true } } },
    });
    expect(events.map((e) => [e.payer.name, e.cptGroup, e.direction])).toEqual([[under, "EM", "UP"]]);
    const event = events[0]!;
    // 80 of 120 current contracted lines underpaid, none of 300 in the baseline.
    expect(event.baselineValue).toBe(0);
    expect(event.currentValue).toBeCloseTo(80 / 120, 12);
    expect([event.baselineSampleSize, event.currentSampleSize]).toEqual([300, 120]);
    // Mean variance per line 0 -> 80 × $15 / 120 = $10; monthly dollars 10 × 120 × 30 / 14.
    expect([event.baselineMeanVariance?.toFixed(2), event.currentMeanVariance?.toFixed(2)]).toEqual(["0.00", "10.00"]);
    expect(event.estimatedRevenueImpact.toFixed(2)).toBe(((10 * 120 * 30) / 14).toFixed(2));
    expect(event.qValue).toBeLessThanOrEqual(0.05);
    // Its root cause: the shortfall is all in 99213, beginning where it was planted.
    const cause = ZRootCause.parse(event.rootCause);
    expect(cause.dominant?.kind).toBe("PROCEDURE");
    expect(cause.procedures[0]).toMatchObject({ cptCode: "99213", dominant: true, baselineValue: 0, currentValue: 15 });
    const plantedAt = Date.parse("2026-02-16T00:00:00Z");
    expect(Math.abs(Date.parse(`${cause.changeDate!.date}T00:00:00Z`) - plantedAt)).toBeLessThanOrEqual(3 * 86_400_000);
  });

  it("puts exactly the underpaid lines on the worklist, each with its variance", async () => {
    const rows = await listUnderpayments(customerId, { limit: 100 });
    expect(rows.items).toHaveLength(80);
    for (const row of rows.items) {
      expect(row).toMatchObject({
        payer: { name: under },
        cptCode: "99213",
        expectedAmount: "100.00",
        allowedAmount: "85.00",
        variance: "15.00",
        status: "OPEN",
      });
    }
    expect(rows.nextCursor).toBeNull();
  });
});
