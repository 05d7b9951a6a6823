import { describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv, type TTestLine } from "@/test/claim-csv";
import { createTestTenant } from "@/test/factories";
import { applyClaimLines, type TApplyResult, type TIngestItem } from "./apply-claim-lines";
import { parseClaimsCsv } from "./parse/parse-csv";

/**
 * Large uploads are written in batches while the next batch is parsed. These run tiny batches
 * (two lines) so every cross-batch rule is exercised on a handful of rows, and compare with
 * the one-batch result where both must agree.
 */
const limits = { maxBytes: 1 << 20, maxRows: 1000 };
let hashes = 0;

async function apply(customerId: string, items: AsyncIterable<TIngestItem>, batchLines?: number): Promise<TApplyResult> {
  hashes += 1;
  const meta = {
    format: "CSV" as const,
    filename: "t.csv",
    sizeBytes: 1,
    contentHash: `batch-test-${process.pid}-${Date.now()}-${hashes}`,
    createdById: null,
    apiKeyId: null,
  };
  return applyClaimLines(customerId, meta, items, limits, { batchLines });
}

const csvItems = (lines: TTestLine[]) => parseClaimsCsv([toCsv(lines)]);

async function stored(customerId: string) {
  const lines = await db().claimLine.findMany({ where: { customerId }, orderBy: [{ submitterClaimId: "asc" }, { lineNumber: "asc" }] });
  return lines.map((line) => ({ id: line.submitterClaimId, line: line.lineNumber, version: line.version, paid: line.paidAmount?.toFixed(2) }));
}

describe("applyClaimLines in batches", () => {
  it("applies a multi-batch upload like a one-batch upload, then updates only changed lines", async () => {
    const lines = Array.from({ length: 7 }, (_, index) => testLine({ payerName: index % 2 ? "Aetna" : `Batch Payer ${process.pid}` }));
    const [batched, single] = [await createTestTenant(), await createTestTenant()];
    const a = await apply(batched.customer.id, csvItems(lines), 2);
    const b = await apply(single.customer.id, csvItems(lines));
    expect(a.upload).toMatchObject({ status: "APPLIED", row_count: 7, applied_count: 7 });
    expect([a.insertedCount, a.updatedCount]).toEqual([b.insertedCount, b.updatedCount]);
    expect((await stored(batched.customer.id)).map(({ id, line, version }) => ({ id, line, version }))).toEqual(
      (await stored(single.customer.id)).map(({ id, line, version }) => ({ id, line, version })),
    );
    const changed = lines.map((line, index) => (index === 5 ? { ...line, paidAmount: "90.00" } : line));
    const again = await apply(batched.customer.id, csvItems(changed), 2);
    expect(again).toMatchObject({ insertedCount: 0, updatedCount: 1 });
  });

  it("rejects a key repeated in a later batch, naming both lines, and stores nothing", async () => {
    const tenant = await createTestTenant();
    const line = testLine();
    const lines = [line, testLine(), testLine(), testLine(), { ...line, paidAmount: "90.00" }];
    for (const batchLines of [2, 3, undefined]) {
      const result = await apply(tenant.customer.id, csvItems(lines), batchLines);
      expect(result.upload).toMatchObject({ status: "REJECTED", row_count: 5, error_count: 1 });
      expect(result.upload.errors).toEqual([{ line: 6, field: "lineNumber", message: expect.stringContaining("also appears on line 2") }]);
    }
    expect(await stored(tenant.customer.id)).toEqual([]);
  });

  it("rolls back earlier batches when a later row is bad", async () => {
    const tenant = await createTestTenant();
    const lines = [testLine(), testLine(), testLine(), testLine(), testLine({ billedAmount: "-1.00" })];
    const result = await apply(tenant.customer.id, csvItems(lines), 2);
    expect(result.upload).toMatchObject({ status: "REJECTED", row_count: 5, error_count: 1 });
    expect(result.upload.errors).toEqual([{ line: 6, field: "billedAmount", message: "negative amounts are not allowed" }]);
    expect(await stored(tenant.customer.id)).toEqual([]);
  });

  it("keeps reversed claims' lines that any batch brings again and removes the rest", async () => {
    const tenant = await createTestTenant();
    const kept = testLine({ submitterClaimId: `REV-A-${process.pid}` });
    const gone = testLine({ submitterClaimId: `REV-B-${process.pid}` });
    await apply(tenant.customer.id, csvItems([kept, gone, { ...gone, lineNumber: 2 }]));
    async function* items(): AsyncGenerator<TIngestItem> {
      yield { kind: "reversal", line: 1, submitterClaimId: String(gone.submitterClaimId) };
      yield { kind: "reversal", line: 2, submitterClaimId: String(kept.submitterClaimId) };
      for await (const item of csvItems([testLine(), testLine(), testLine(), { ...kept, paidAmount: "80.00" }])) yield item;
    }
    const result = await apply(tenant.customer.id, items(), 2);
    expect(result).toMatchObject({ reversedCount: 2, insertedCount: 3, updatedCount: 1 });
    const left = await stored(tenant.customer.id);
    expect(left.filter((line) => line.id === gone.submitterClaimId)).toEqual([]);
    expect(left.find((line) => line.id === kept.submitterClaimId)).toMatchObject({ version: 2, paid: "80.00" });
  });
});
