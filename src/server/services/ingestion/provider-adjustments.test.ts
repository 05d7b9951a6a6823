import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestPayer } from "@/test/alerts-kit";
import { createTestCustomer } from "@/test/factories";
import { closeIngestPool, ingestPool } from "./ingest-pool";
import type { TX12ProviderAdjustment } from "./parse/x12-835-plb";
import { recordProviderAdjustments } from "./provider-adjustments";

/**
 * The PLB writer against a real PostgreSQL, on the ingest pool's connection inside a
 * transaction as the upload writer uses it: values stored exactly (signs, optional reference,
 * both dates), one statement for any number of adjustments, nothing written for another
 * tenant's upload or payer, nothing left after a rollback, and row-level security hiding the
 * rows from other tenants.
 */

afterAll(async () => {
  await closeIngestPool();
});

async function tenantWithUpload() {
  const customer = await createTestCustomer();
  const payer = await createTestPayer(customer.id);
  const upload = await db().upload.create({
    data: { customerId: customer.id, filename: "era.835", format: "X12_835", sizeBytes: 1, contentHash: randomUUID(), status: "PROCESSING" },
    select: { id: true },
  });
  return { customerId: customer.id, payerId: payer.id, uploadId: upload.id };
}

const adjustment = (overrides: Partial<TX12ProviderAdjustment> = {}): TX12ProviderAdjustment => ({
  line: 40,
  providerIdentifier: "1234567893",
  fiscalPeriodDate: "2024-12-31",
  remittanceDate: "2024-05-03",
  reasonCode: "WO",
  reference: "CLAIM991",
  amount: "250.00",
  ...overrides,
});

/** Runs `fn` in a transaction on an ingest connection, counting its statements; commits or rolls back. */
async function inTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, end: "COMMIT" | "ROLLBACK" = "COMMIT") {
  const client = await ingestPool().connect();
  const statements: string[] = [];
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const counting = Object.assign(Object.create(client) as pg.PoolClient, {
    query: (...args: unknown[]) => {
      statements.push(String(args[0]));
      return query(...args);
    },
  });
  try {
    await client.query("BEGIN");
    const result = await fn(counting);
    await client.query(end);
    return { result, statements };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}

async function storedFor(customerId: string) {
  const rows = await db().providerAdjustment.findMany({ where: { customerId }, orderBy: [{ lineNumber: "asc" }, { amount: "asc" }] });
  return rows.map((row) => ({
    uploadId: row.uploadId,
    payerId: row.payerId,
    line: row.lineNumber,
    providerIdentifier: row.providerIdentifier,
    fiscalPeriodDate: row.fiscalPeriodDate.toISOString().slice(0, 10),
    remittanceDate: row.remittanceDate.toISOString().slice(0, 10),
    reasonCode: row.reasonCode,
    reference: row.reference,
    amount: row.amount.toFixed(2),
  }));
}

describe("recordProviderAdjustments", () => {
  it("stores every adjustment exactly, in one statement", async () => {
    const { customerId, payerId, uploadId } = await tenantWithUpload();
    const adjustments = [
      adjustment(),
      adjustment({ line: 41, reasonCode: "L6", reference: undefined, amount: "-12.50" }),
      adjustment({ line: 41, reasonCode: "FB", reference: "PRIOR-RA-7", amount: "100.00", remittanceDate: undefined }),
    ];
    const { result, statements } = await inTransaction((client) => recordProviderAdjustments(client, customerId, uploadId, payerId, adjustments));
    expect(result).toBe(3);
    expect(statements).toHaveLength(1);
    const common = { uploadId, payerId, providerIdentifier: "1234567893", fiscalPeriodDate: "2024-12-31" };
    expect(await storedFor(customerId)).toEqual([
      { ...common, line: 40, remittanceDate: "2024-05-03", reasonCode: "WO", reference: "CLAIM991", amount: "250.00" },
      { ...common, line: 41, remittanceDate: "2024-05-03", reasonCode: "L6", reference: null, amount: "-12.50" },
      // Without a remittance date the fiscal period date stands in.
      { ...common, line: 41, remittanceDate: "2024-12-31", reasonCode: "FB", reference: "PRIOR-RA-7", amount: "100.00" },
    ]);
  });

  it("still issues one statement for a thousand adjustments, and none for an empty list", async () => {
    const { customerId, payerId, uploadId } = await tenantWithUpload();
    const many = Array.from({ length: 1000 }, (_, i) => adjustment({ line: 10 + Math.floor(i / 6), amount: `${i}.01` }));
    const { result, statements } = await inTransaction((client) => recordProviderAdjustments(client, customerId, uploadId, payerId, many));
    expect([result, statements.length]).toEqual([1000, 1]);
    expect(await db().providerAdjustment.count({ where: { customerId } })).toBe(1000);
    const empty = await inTransaction((client) => recordProviderAdjustments(client, customerId, uploadId, payerId, []));
    expect([empty.result, empty.statements.length]).toEqual([0, 0]);
  });

  it("refuses another tenant's upload or payer and writes nothing", async () => {
    const mine = await tenantWithUpload();
    const theirs = await tenantWithUpload();
    await expect(inTransaction((client) => recordProviderAdjustments(client, mine.customerId, theirs.uploadId, mine.payerId, [adjustment()]))).rejects.toThrow(
      /does not belong to this customer/,
    );
    await expect(inTransaction((client) => recordProviderAdjustments(client, mine.customerId, mine.uploadId, theirs.payerId, [adjustment()]))).rejects.toThrow(
      /does not belong to this customer/,
    );
    expect(await db().providerAdjustment.count({ where: { customerId: { in: [mine.customerId, theirs.customerId] } } })).toBe(0);
  });

  it("goes with the upload's transaction: a rollback leaves nothing", async () => {
    const { customerId, payerId, uploadId } = await tenantWithUpload();
    await inTransaction((client) => recordProviderAdjustments(client, customerId, uploadId, payerId, [adjustment()]), "ROLLBACK");
    expect(await db().providerAdjustment.count({ where: { customerId } })).toBe(0);
  });

  it("refuses what the database constraints forbid, whoever writes", async () => {
    const { customerId, payerId, uploadId } = await tenantWithUpload();
    for (const bad of [adjustment({ reasonCode: "wo" }), adjustment({ reference: "" }), adjustment({ amount: "12345678901.00" }), adjustment({ line: 0 })]) {
      await expect(inTransaction((client) => recordProviderAdjustments(client, customerId, uploadId, payerId, [bad]))).rejects.toThrow();
    }
    expect(await db().providerAdjustment.count({ where: { customerId } })).toBe(0);
  });

  it("is visible only to its own tenant under row-level security", async () => {
    const a = await tenantWithUpload();
    const b = await tenantWithUpload();
    await inTransaction((client) => recordProviderAdjustments(client, a.customerId, a.uploadId, a.payerId, [adjustment(), adjustment({ line: 41 })]));
    // As the application's tenant login (a member of driftline_app), scoped to one tenant.
    const countAs = async (tenant: string) => {
      const client = new pg.Client({ connectionString: process.env.DATABASE_TENANT_URL });
      await client.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT set_config('app.customer_id', $1, true)", [tenant]);
        return (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM provider_adjustments WHERE upload_id = $1", [a.uploadId])).rows[0]!.n;
      } finally {
        await client.query("ROLLBACK");
        await client.end();
      }
    };
    expect(await countAs(a.customerId)).toBe(2);
    expect(await countAs(b.customerId)).toBe(0);
  });
});
