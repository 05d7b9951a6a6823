import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestTenant } from "@/test/factories";
import { queryCellMetrics } from "../detection/query-cell-metrics";
import { applyClaimLines, type TApplyResult } from "./apply-claim-lines";
import { x12ParsedItems } from "./ingest-upload-file";
import { parseX12_835 } from "./parse/parse-x12-835";

/**
 * The 835 rules where the database and detection are involved: what the real writer stores for
 * 0-unit lines, claim-level lines, SVC06 and contradictory dates; that the upload records its
 * skipped items and warnings; that a payer identifier maps a new spelling to the same payer;
 * that PLB adjustments are written in the same transaction; and that decision-time statistics
 * leave out lines whose dates contradict each other while denial counts keep them.
 */

const fixture = (name: string) => readFileSync(new URL(`./parse/fixtures/x12/${name}`, import.meta.url), "utf8");
let uploads = 0;

async function apply835(customerId: string, text: string): Promise<TApplyResult> {
  uploads += 1;
  const meta = {
    format: "X12_835" as const,
    filename: "r.835",
    sizeBytes: text.length,
    contentHash: `remit-${process.pid}-${Date.now()}-${uploads}`,
    createdById: null,
    apiKeyId: null,
  };
  const parsed = parseX12_835(text);
  const items = (async function* () {
    yield* x12ParsedItems(parsed);
  })();
  return applyClaimLines(customerId, meta, items, { maxBytes: 1 << 20, maxRows: 1000 });
}

async function stored(customerId: string) {
  const lines = await db().claimLine.findMany({ where: { customerId }, orderBy: [{ submitterClaimId: "asc" }, { lineNumber: "asc" }] });
  return lines.map((line) => ({
    id: `${line.submitterClaimId}#${line.lineNumber}`,
    cptCode: line.cptCode,
    cptGroup: line.cptGroup,
    units: line.units.toFixed(2),
    outcome: line.outcome,
    submittedAt: line.submittedAt?.toISOString().slice(0, 10) ?? null,
    submittedCptCode: line.submittedCptCode,
    facilityType: line.facilityType,
    payerId: line.payerId,
  }));
}

describe("applying an imperfect 835", () => {
  it("stores 0-unit denials, claim-level lines, SVC06 and contradictory dates; records skipped items and warnings", async () => {
    const tenant = await createTestTenant();
    const customerId = tenant.customer.id;
    const zero = await apply835(customerId, fixture("zero-units.835"));
    expect(zero.upload).toMatchObject({ status: "APPLIED", applied_count: 3, skipped_count: 0, warning_count: 0 });
    const levels = await apply835(customerId, fixture("claim-level.835"));
    expect(levels.upload).toMatchObject({ status: "APPLIED", applied_count: 2 });
    const dates = await apply835(customerId, fixture("date-order.835"));
    expect(dates.upload).toMatchObject({ status: "APPLIED", applied_count: 3, warning_count: 2 });
    expect(dates.upload.warnings.map((warning) => warning.line)).toEqual([12, 16]);
    const revenue = await apply835(customerId, fixture("revenue-codes.835"));
    expect(revenue.upload).toMatchObject({ status: "APPLIED", applied_count: 1, skipped_count: 1 });
    expect(revenue.upload.skipped).toEqual([{ line: 12, field: "SVC01", message: expect.stringContaining("revenue code") }]);
    await apply835(customerId, fixture("submitted-code.835"));

    const lines = await stored(customerId);
    const byId = new Map(lines.map((line) => [line.id, line]));
    expect(byId.get("ZERO-1#1")).toMatchObject({ units: "0.00", outcome: "DENIED" });
    expect(byId.get("INST-1#1")).toMatchObject({ cptCode: null, cptGroup: "CLAIM_LEVEL", facilityType: "11", outcome: "DENIED" });
    expect(byId.get("INST-2#1")).toMatchObject({ cptCode: null, cptGroup: "CLAIM_LEVEL", facilityType: "13", outcome: "PAID" });
    expect(byId.get("LATE-RCVD#1")).toMatchObject({ submittedAt: null });
    expect(byId.get("LATE-SERVICE#1")).toMatchObject({ submittedAt: null });
    expect(byId.get("IN-ORDER#1")).toMatchObject({ submittedAt: "2024-05-01" });
    expect(byId.get("RECODE#1")).toMatchObject({ cptCode: "99213", submittedCptCode: "99215" });

    // GET /uploads/{id} reads the same columns.
    const upload = await db().upload.findUnique({ where: { id: revenue.upload.id }, select: { skippedCount: true, skipped: true } });
    expect(upload).toEqual({ skippedCount: 1, skipped: revenue.upload.skipped });
  });

  it("decision-time statistics leave out lines with contradictory dates; denial counts keep them and claim-level lines", async () => {
    const tenant = await createTestTenant();
    const customerId = tenant.customer.id;
    await apply835(customerId, fixture("date-order.835"));
    await apply835(customerId, fixture("claim-level.835"));
    const metrics = await queryCellMetrics(db(), customerId, {
      baselineStart: "2024-01-01",
      baselineEnd: "2024-05-01",
      currentStart: "2024-05-02",
      currentEnd: "2024-05-31",
    });
    const em = metrics.counts.filter((row) => row.cptGroup === "EM" && row.current);
    // Three E/M lines decided in the window; only IN-ORDER (received 05-01, decided 05-15) has a lag.
    expect(em.find((row) => row.kind === "CELL")).toMatchObject({ lines: 3 });
    const lags = em.filter((row) => row.kind === "LAG" && row.lagDays !== null);
    expect(lags.map((row) => [Number(row.lagDays), Number(row.lines)])).toEqual([[14, 1]]);
    const claimLevel = metrics.counts.find((row) => row.cptGroup === "CLAIM_LEVEL" && row.kind === "CELL" && row.current);
    expect(claimLevel).toMatchObject({ lines: 2, denied: 1 });
  });

  it("maps a new spelling of a payer name to the same payer when it carries a known identifier (N1*PR04)", async () => {
    const tenant = await createTestTenant();
    const customerId = tenant.customer.id;
    await apply835(customerId, fixture("submitted-code.835"));
    const renamed = fixture("zero-units.835").replace("N1*PR*ACME HEALTH PLAN*XV*ACME123", "N1*PR*ACME HEALTH PLAN OF TEXAS*XV*ACME123");
    await apply835(customerId, renamed);
    const other = fixture("bare-st.835").replace("N1*PR*ACME HEALTH PLAN*XV*ACME123", "N1*PR*ACME HEALTH PLAN WEST*XV*OTHER9").replace("REF*2U*ACME-2U~", "");
    await apply835(
      customerId,
      other.replace(/SE\*\d+\*7001/, (se) => `SE*${Number(se.split("*")[1]) - 1}*7001`),
    );
    const mappings = await db().payerMapping.findMany({
      where: { customerId },
      orderBy: { normalizedName: "asc" },
      select: { normalizedName: true, payerId: true, payerIdentifier: true },
    });
    expect(mappings.map((mapping) => [mapping.normalizedName, mapping.payerIdentifier])).toEqual([
      ["acme health plan", "ACME123"],
      ["acme health plan of texas", "ACME123"],
      ["acme health plan west", "OTHER9"],
    ]);
    expect(mappings[1]!.payerId).toBe(mappings[0]!.payerId);
    expect(mappings[2]!.payerId).not.toBe(mappings[0]!.payerId);
  });

  it("writes PLB adjustments with the upload, against the remittance's payer", async () => {
    const tenant = await createTestTenant();
    const customerId = tenant.customer.id;
    const text = fixture("submitted-code.835")
      .replace("SE*", "PLB*1234567893*20241231*WO:ICN-OLD*25.50*L6*-1.20~\nSE*")
      .replace(/SE\*(\d+)\*5001/, (_, n: string) => `SE*${Number(n) + 1}*5001`);
    const result = await apply835(customerId, text);
    expect(result.upload).toMatchObject({ status: "APPLIED", warning_count: 0 });
    expect(result.providerAdjustmentCount).toBe(2);
    const adjustments = await db().providerAdjustment.findMany({
      where: { customerId },
      orderBy: { reasonCode: "asc" },
      select: { reasonCode: true, amount: true, uploadId: true, payerId: true },
    });
    const [line] = await stored(customerId);
    expect(adjustments.map((a) => [a.reasonCode, a.amount.toFixed(2), a.uploadId, a.payerId])).toEqual([
      ["L6", "-1.20", result.upload.id, line!.payerId],
      ["WO", "25.50", result.upload.id, line!.payerId],
    ]);
  });
});
