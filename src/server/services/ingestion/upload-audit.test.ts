import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { verifyAuditChain } from "@/server/lib/audit";
import { testLine, toCsv } from "@/test/claim-csv";
import { createTestTenant, type TTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";

/**
 * An upload and its audit row commit together or not at all, over real HTTP and the real
 * database: an applied upload always has its `upload.create` row, and when the audit row cannot
 * be written (refused here by a trigger on audit_events for this tenant alone) nothing of the
 * upload is kept.
 */
let server: TIngestRestServer;
beforeAll(async () => {
  server = await startIngestRestServer();
});
afterAll(async () => {
  await server.close();
});

function uploadCsv(tenant: TTestTenant, csv: string) {
  const headers = new Headers(tenant.keys.ANALYST.headers);
  headers.set("content-type", "text/csv");
  headers.set("x-filename", "claims.csv");
  return fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body: csv });
}

async function refuseAuditOf(customerId: string, work: () => Promise<void>): Promise<void> {
  const owner = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await owner.connect();
  const name = `refuse_audit_${customerId.replace(/-/g, "")}`;
  try {
    await owner.query(`
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit log unavailable (test)';
      END $$`);
    await owner.query(
      `CREATE TRIGGER ${name} BEFORE INSERT ON audit_events FOR EACH ROW
       WHEN (NEW.customer_id = '${customerId}' AND NEW.action = 'upload.create') EXECUTE FUNCTION ${name}()`,
    );
    await work();
  } finally {
    await owner.query(`DROP TRIGGER IF EXISTS ${name} ON audit_events`);
    await owner.query(`DROP FUNCTION IF EXISTS ${name}()`);
    await owner.end();
  }
}

describe("upload audit", () => {
  it("an applied and a rejected upload each have exactly one audit row with their counts", async () => {
    const tenant = await createTestTenant();
    const applied = await uploadCsv(tenant, toCsv([testLine(), testLine({ lineNumber: 2 })]));
    expect(applied.status).toBe(201);
    const appliedId = ((await applied.json()) as { upload: { id: string } }).upload.id;
    const rejected = await uploadCsv(tenant, toCsv([testLine({ cptCode: "" })]));
    expect(rejected.status).toBe(400);
    const rejectedUpload = await db().upload.findFirstOrThrow({ where: { customerId: tenant.customer.id, status: "REJECTED" }, select: { id: true } });
    const audits = await db().auditEvent.findMany({
      where: { customerId: tenant.customer.id, action: "upload.create" },
      orderBy: { seq: "asc" },
      select: { resourceId: true, actorApiKeyId: true, details: true },
    });
    expect(audits).toEqual([
      { resourceId: appliedId, actorApiKeyId: tenant.keys.ANALYST.id, details: expect.objectContaining({ status: "APPLIED", rowCount: 2, appliedCount: 2 }) },
      { resourceId: rejectedUpload.id, actorApiKeyId: tenant.keys.ANALYST.id, details: expect.objectContaining({ status: "REJECTED", errorCount: 1 }) },
    ]);
    // Written on the upload's own connection, the rows still extend the tenant's hash chain.
    expect(await verifyAuditChain(db(), tenant.customer.id)).toMatchObject({ ok: true, problems: [] });
  });

  it("when the audit row cannot be written, nothing of the upload is kept", async () => {
    const tenant = await createTestTenant();
    await refuseAuditOf(tenant.customer.id, async () => {
      const response = await uploadCsv(tenant, toCsv([testLine(), testLine({ lineNumber: 2 })]));
      expect(response.status).toBeGreaterThanOrEqual(500);
      const rejected = await uploadCsv(tenant, toCsv([testLine({ cptCode: "" })]));
      expect(rejected.status).toBeGreaterThanOrEqual(500);
    });
    expect(await db().claimLine.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    expect(await db().detectionRun.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    // And the same file goes through once the audit log is back.
    const retried = await uploadCsv(tenant, toCsv([testLine()]));
    expect(retried.status).toBe(201);
  });

  it("concurrent uploads of one tenant each get their audit row; the chain stays whole past ten rows", async () => {
    const tenant = await createTestTenant();
    for (let round = 0; round < 2; round += 1) {
      const responses = await Promise.all(Array.from({ length: 6 }, () => uploadCsv(tenant, toCsv([testLine()]))));
      const bodies = await Promise.all(responses.map((response) => response.text()));
      expect(
        responses.map((response) => response.status),
        bodies.join("\n"),
      ).toEqual(Array(6).fill(201));
    }
    expect(await db().auditEvent.count({ where: { customerId: tenant.customer.id, action: "upload.create" } })).toBe(12);
    expect(await verifyAuditChain(db(), tenant.customer.id)).toMatchObject({ ok: true, problems: [] });
  });
});
