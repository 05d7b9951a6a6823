import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv, toJsonLines } from "@/test/claim-csv";
import { createTestTenant, type TTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";
import { x12_835 } from "@/test/x12-835";

/** The three ways in, end to end over real HTTP against the real database. */

let server: TIngestRestServer;
beforeAll(async () => {
  server = await startIngestRestServer();
});
afterAll(async () => {
  await server.close();
});

type TJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(path: string, init: RequestInit & { headers?: Headers } = {}): Promise<{ status: number; body: TJson; headers: Headers }> {
  const response = await fetch(`${server.baseUrl}${path}`, init);
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as TJson) : {}, headers: response.headers };
}

function withHeaders(base: Headers, extra: Record<string, string>): Headers {
  const headers = new Headers(base);
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return headers;
}

function uploadCsv(tenant: TTestTenant, csv: string, role: "ANALYST" | "ADMIN" | "VIEWER" = "ANALYST") {
  return call("/uploads", {
    method: "POST",
    headers: withHeaders(tenant.keys[role].headers, { "content-type": "text/csv", "x-filename": "claims.csv" }),
    body: csv,
  });
}

function upload835(tenant: TTestTenant, text: string) {
  return call("/uploads", { method: "POST", headers: withHeaders(tenant.keys.ANALYST.headers, { "content-type": "application/edi-x12" }), body: text });
}

function ingest(tenant: TTestTenant, key: string | null, lines: unknown[]) {
  const headers = withHeaders(tenant.keys.ANALYST.headers, { "content-type": "application/json" });
  if (key !== null) headers.set("idempotency-key", key);
  return call("/ingest/claims", { method: "POST", headers, body: JSON.stringify({ lines }) });
}

function claimLines(customerId: string) {
  return db().claimLine.findMany({
    where: { customerId },
    orderBy: [{ submitterClaimId: "asc" }, { lineNumber: "asc" }],
    select: {
      submitterClaimId: true,
      lineNumber: true,
      version: true,
      paidAmount: true,
      outcome: true,
      payerId: true,
      cptGroup: true,
      patientAccountHash: true,
      uploadId: true,
    },
  });
}

describe("CSV uploads", () => {
  it("applies a raw text/csv body in one go and reports counts", async () => {
    const tenant = await createTestTenant();
    const lines = [
      testLine({ patientAccount: "ACCT-777" }),
      testLine({ lineNumber: 2, cptCode: "G0101", payerName: "UHC" }),
      testLine({ outcome: "DENIED", paidAmount: "0", denialReason: "CO-50", paidAt: undefined }),
    ];
    const { status, body, headers } = await uploadCsv(tenant, toCsv(lines));
    expect(status).toBe(201);
    expect(headers.get("x-request-id")).toBeTruthy();
    expect(body.replayed).toBe(false);
    expect(body.upload).toMatchObject({ filename: "claims.csv", format: "CSV", status: "APPLIED", rowCount: 3, appliedCount: 3, errorCount: 0, errors: [] });
    expect(body.upload.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const stored = await claimLines(tenant.customer.id);
    expect(stored).toHaveLength(3);
    expect(stored.every((line) => line.uploadId === body.upload.id)).toBe(true);
    // Two raw names -> two tenant payers (until an admin maps UHC to the same payer).
    const mappings = await db().payerMapping.findMany({ where: { customerId: tenant.customer.id }, select: { normalizedName: true } });
    expect(mappings.map((m) => m.normalizedName).sort()).toEqual(["uhc", "united healthcare"]);

    const list = await call("/uploads", { headers: tenant.keys.VIEWER.headers });
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: TJson) => u.id)).toEqual([body.upload.id]);
    const one = await call(`/uploads/${body.upload.id}`, { headers: tenant.keys.VIEWER.headers });
    expect(one.body).toMatchObject({ id: body.upload.id, status: "APPLIED", errors: [] });
    const stats = await call("/uploads/stats", { headers: tenant.keys.VIEWER.headers });
    expect(stats.body).toMatchObject({ uploads: 1, applied: 1, rejected: 0, rows: 3, appliedLines: 3, claimLines: 3 });
  });

  it("accepts multipart field `file` and keeps its filename", async () => {
    const tenant = await createTestTenant();
    const form = new FormData();
    form.append("note", "ignored");
    form.append("file", new Blob([toCsv([testLine(), testLine()])], { type: "text/csv" }), "march.csv");
    const { status, body } = await call("/uploads", { method: "POST", headers: tenant.keys.ANALYST.headers, body: form });
    expect(status).toBe(201);
    expect(body.upload).toMatchObject({ filename: "march.csv", status: "APPLIED", rowCount: 2 });
  });

  it("treats the same file twice as one upload (200 with the existing upload)", async () => {
    const tenant = await createTestTenant();
    const csv = toCsv([testLine()]);
    const first = await uploadCsv(tenant, csv);
    const second = await uploadCsv(tenant, csv);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.replayed).toBe(true);
    expect(second.body.upload.id).toBe(first.body.upload.id);
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(1);
    expect((await claimLines(tenant.customer.id))[0]?.version).toBe(1);
  });

  it("rejects a file with one bad row: 400 with line and field, status REJECTED, no claim lines", async () => {
    const tenant = await createTestTenant();
    const csv = toCsv([testLine(), testLine({ billedAmount: "-5.00" }), testLine(), testLine({ paidAt: "2024-01-01" })]);
    const { status, body, headers } = await uploadCsv(tenant, csv);
    expect(status).toBe(400);
    expect(headers.get("content-type")).toContain("application/problem+json");
    expect(body.code).toBe("BAD_REQUEST");
    expect(body.upload).toMatchObject({ status: "REJECTED", rowCount: 4, appliedCount: 0, errorCount: 2 });
    expect(body.upload.errors).toEqual([
      { line: 3, field: "billedAmount", message: "negative amounts are not allowed" },
      { line: 5, field: "paidAt", message: "payment date is before the submission date" },
    ]);
    expect(body.errors[0]).toMatchObject({ line: 3, field: "billedAmount" });
    expect(await claimLines(tenant.customer.id)).toEqual([]);
    const stored = await call(`/uploads/${body.upload.id}`, { headers: tenant.keys.VIEWER.headers });
    expect(stored.body.errors).toHaveLength(2);
  });

  it("rejects a file that repeats (submitterClaimId, lineNumber), naming both lines", async () => {
    const tenant = await createTestTenant();
    const line = testLine();
    const { status, body } = await uploadCsv(tenant, toCsv([line, testLine(), { ...line, paidAmount: "90.00" }]));
    expect(status).toBe(400);
    expect(body.upload.errors).toEqual([{ line: 4, field: "lineNumber", message: expect.stringContaining("also appears on line 2") }]);
    expect(await claimLines(tenant.customer.id)).toEqual([]);
  });

  it("updates a corrected line (version + 1) and leaves identical lines alone", async () => {
    const tenant = await createTestTenant();
    const a = testLine();
    const b = testLine();
    await uploadCsv(tenant, toCsv([a, b]));
    const second = await uploadCsv(tenant, toCsv([{ ...a, outcome: "PARTIAL", paidAmount: "50.00", denialReason: "CO-45" }, b]));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ insertedCount: 0, updatedCount: 1 });
    expect(second.body.upload).toMatchObject({ rowCount: 2, appliedCount: 1 });
    const stored = await claimLines(tenant.customer.id);
    const byId = new Map(stored.map((line) => [line.submitterClaimId, line]));
    expect(byId.get(String(a.submitterClaimId))).toMatchObject({ version: 2, outcome: "PARTIAL" });
    expect(byId.get(String(a.submitterClaimId))?.paidAmount?.toFixed(2)).toBe("50.00");
    expect(byId.get(String(b.submitterClaimId))?.version).toBe(1);
  });

  it("never stores the patient account number, only its keyed hash", async () => {
    const tenant = await createTestTenant();
    const account = `ACCT-${Date.now()}`;
    await uploadCsv(tenant, toCsv([testLine({ patientAccount: account })]));
    const [line] = await claimLines(tenant.customer.id);
    expect(line?.patientAccountHash).toMatch(/^[0-9a-f]{64}$/);
    const leaks = await db().$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM claim_lines c WHERE c.customer_id = $1::uuid AND position($2 in c::text) > 0`,
      tenant.customer.id,
      account,
    );
    expect(leaks[0]?.n).toBe(0);
    const uploads = await db().$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM uploads u WHERE u.customer_id = $1::uuid AND position($2 in u::text) > 0`,
      tenant.customer.id,
      account,
    );
    expect(uploads[0]?.n).toBe(0);
  });

  it("refuses VIEWERs (403) and callers without credentials (401), as problem+json", async () => {
    const tenant = await createTestTenant();
    const viewer = await uploadCsv(tenant, toCsv([testLine()]), "VIEWER");
    expect(viewer.status).toBe(403);
    expect(viewer.body.code).toBe("FORBIDDEN");
    const anonymous = await call("/uploads", { method: "POST", headers: new Headers({ "content-type": "text/csv" }), body: "x" });
    expect(anonymous.status).toBe(401);
    const wrongType = await call("/uploads", {
      method: "POST",
      headers: withHeaders(tenant.keys.ANALYST.headers, { "content-type": "application/json" }),
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
  });

  it("serves the CSV template, whose example row ingests cleanly", async () => {
    const response = await fetch(`${server.baseUrl}/uploads/template.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const tenant = await createTestTenant();
    const { status, body } = await uploadCsv(tenant, await response.text());
    expect(status).toBe(201);
    expect(body.upload).toMatchObject({ status: "APPLIED", rowCount: 1 });
  });
});

describe("X12 835 uploads", () => {
  const fixture = (name: string) => readFileSync(new URL(`./parse/fixtures/x12/${name}`, import.meta.url), "utf8");

  it("applies an 835 (service lines, allowed amounts, payer from N1*PR)", async () => {
    const tenant = await createTestTenant();
    const { status, body } = await upload835(tenant, fixture("basic-paid.835"));
    expect(status).toBe(201);
    expect(body.upload).toMatchObject({ format: "X12_835", filename: "upload.835", status: "APPLIED", rowCount: 2 });
    const lines = await claimLines(tenant.customer.id);
    expect(lines.map((l) => [l.submitterClaimId, l.lineNumber, l.cptGroup])).toEqual([
      ["CLM-1001", 1, "EM"],
      ["CLM-1001", 2, "PATHOLOGY_LAB"],
    ]);
    const payer = await db().payer.findUnique({ where: { id: lines[0]!.payerId }, select: { name: true, customerId: true } });
    expect(payer).toEqual({ name: "ACME HEALTH PLAN", customerId: tenant.customer.id });
  });

  it("applies a reversal from a later file: corrected lines get version + 1, uncorrected claims are removed", async () => {
    const tenant = await createTestTenant();
    const first = await upload835(
      tenant,
      x12_835([
        { id: "R-1", charge: 100, paid: 80 },
        { id: "R-2", charge: 50, paid: 50 },
      ]),
    );
    expect(first.status).toBe(201);
    const second = await upload835(
      tenant,
      x12_835([
        { id: "R-1", status: "22", charge: 100, paid: 80 },
        { id: "R-1", charge: 100, paid: 90, payerClaimNumber: "ICN-R1B" },
        { id: "R-2", status: "22", charge: 50, paid: 50 },
      ]),
    );
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ reversedCount: 1, updatedCount: 1 });
    const lines = await claimLines(tenant.customer.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ submitterClaimId: "R-1", version: 2, uploadId: second.body.upload.id });
    expect(lines[0]?.paidAmount?.toFixed(2)).toBe("90.00");
  });

  it("rejects a truncated 835 with segment-level errors and applies nothing", async () => {
    const tenant = await createTestTenant();
    const { status, body } = await upload835(tenant, fixture("truncated.835"));
    expect(status).toBe(400);
    expect(body.upload.status).toBe("REJECTED");
    expect(body.upload.errors.length).toBeGreaterThan(0);
    expect(body.upload.errors[0]).toEqual({ line: expect.any(Number), field: expect.any(String), message: expect.any(String) });
    expect(await claimLines(tenant.customer.id)).toEqual([]);
  });
});

describe("JSON batch with Idempotency-Key", () => {
  it("returns the first answer for the same key and body without applying again", async () => {
    const tenant = await createTestTenant();
    const lines = toJsonLines([testLine(), testLine({ billedAmount: 200, paidAmount: 150.5, allowedAmount: 160 })]);
    const first = await ingest(tenant, "batch-1", lines);
    expect(first.status).toBe(200);
    expect(first.body.replayed).toBe(false);
    expect(first.body.upload).toMatchObject({ format: "JSON", status: "APPLIED", rowCount: 2, appliedCount: 2 });
    const again = await ingest(tenant, "batch-1", lines);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, replayed: true });
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(1);
    expect((await claimLines(tenant.customer.id)).map((l) => l.version)).toEqual([1, 1]);
  });

  it("answers 409 when the key is reused with another body", async () => {
    const tenant = await createTestTenant();
    await ingest(tenant, "batch-2", toJsonLines([testLine()]));
    const other = await ingest(tenant, "batch-2", toJsonLines([testLine()]));
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("CONFLICT");
    expect(await claimLines(tenant.customer.id)).toHaveLength(1);
  });

  it("requires the header, and rejects bad lines with field paths and nothing applied", async () => {
    const tenant = await createTestTenant();
    const missing = await ingest(tenant, null, toJsonLines([testLine()]));
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: "Idempotency-Key", message: expect.any(String) }]);
    const bad = await ingest(tenant, "batch-3", toJsonLines([testLine(), testLine({ cptCode: "ABC" })]));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("lines.1.cptCode");
    const lateLines = toJsonLines([testLine({ paidAt: "2020-01-01" })]);
    const late = await ingest(tenant, "batch-4", lateLines);
    expect(late.status).toBe(400);
    expect(late.body.errors).toEqual([{ path: "lines.0.paidAt", message: "payment date is before the submission date" }]);
    // The rejected batch is recorded, so its replay gives the same answer.
    const replay = await ingest(tenant, "batch-4", lateLines);
    expect(replay.status).toBe(400);
    expect(replay.body.errors).toEqual(late.body.errors);
    expect(await claimLines(tenant.customer.id)).toEqual([]);
  });
});

describe("claims, audit and mappings", () => {
  it("lets ANALYSTs read claim lines (audited, money as strings) and refuses VIEWERs", async () => {
    const tenant = await createTestTenant();
    await uploadCsv(tenant, toCsv([testLine({ denialReason: "CO-45", remarkCodes: "N130;MA01", outcome: "PARTIAL" })]));
    expect((await call("/claims", { headers: tenant.keys.VIEWER.headers })).status).toBe(403);
    const list = await call("/claims?outcome=PARTIAL&limit=10", { headers: tenant.keys.ANALYST.headers });
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const item = list.body.items[0];
    expect(item).toMatchObject({
      billedAmount: "150.00",
      allowedAmount: "120.00",
      paidAmount: "96.00",
      units: "1.00",
      cptGroup: "EM",
      denialReason: { group: "CO", code: "45" },
      remarkCodes: ["N130", "MA01"],
      serviceDate: "2024-03-05",
    });
    expect(item).not.toHaveProperty("patientAccountHash");
    const one = await call(`/claims/${item.id}`, { headers: tenant.keys.ANALYST.headers });
    expect(one.body.id).toBe(item.id);
    const audit = await db().auditEvent.findMany({
      where: { customerId: tenant.customer.id, action: { startsWith: "claim." } },
      orderBy: { seq: "asc" },
      select: { action: true, resourceId: true, details: true },
    });
    expect(audit.map((a) => a.action)).toEqual(["claim.list", "claim.read"]);
    expect(audit[0]?.details).toEqual({ returned: 1, filters: ["outcome"] });
    expect(audit[1]?.resourceId).toBe(item.id);
    expect((await call("/claims?cursor=nonsense", { headers: tenant.keys.ANALYST.headers })).status).toBe(400);
  });

  it("re-points existing lines when an admin re-maps a payer name", async () => {
    const tenant = await createTestTenant();
    await uploadCsv(tenant, toCsv([testLine({ payerName: "UHC" }), testLine({ payerName: "United Healthcare" })]));
    const mappings = await call("/payer-mappings?search=uhc", { headers: tenant.keys.VIEWER.headers });
    const uhc = mappings.body.items[0];
    expect(uhc).toMatchObject({ rawName: "UHC", normalizedName: "uhc", payer: { scope: "CUSTOMER" } });
    const all = await call("/payer-mappings", { headers: tenant.keys.VIEWER.headers });
    const target = all.body.items.find((m: TJson) => m.normalizedName === "united healthcare").payer.id;
    expect(
      (
        await call(`/payer-mappings/${uhc.id}`, {
          method: "PATCH",
          headers: withHeaders(tenant.keys.ANALYST.headers, { "content-type": "application/json" }),
          body: JSON.stringify({ payerId: target }),
        })
      ).status,
    ).toBe(403);
    const remapped = await call(`/payer-mappings/${uhc.id}`, {
      method: "PATCH",
      headers: withHeaders(tenant.keys.ADMIN.headers, { "content-type": "application/json" }),
      body: JSON.stringify({ payerId: target }),
    });
    expect(remapped.status).toBe(200);
    expect(remapped.body).toMatchObject({ payer: { id: target }, claimLineCount: 1 });
    expect(new Set((await claimLines(tenant.customer.id)).map((l) => l.payerId))).toEqual(new Set([target]));
    const blocked = await call(`/payer-mappings/${uhc.id}`, { method: "DELETE", headers: tenant.keys.ADMIN.headers });
    expect(blocked.status).toBe(409);
    const payers = await call("/payers?scope=CUSTOMER", { headers: tenant.keys.VIEWER.headers });
    expect(payers.body.items.map((p: TJson) => p.name).sort()).toEqual(["UHC", "United Healthcare"]);
  });

  it("re-groups existing lines when an admin overrides a CPT code's group, and back when removed", async () => {
    const tenant = await createTestTenant();
    await uploadCsv(tenant, toCsv([testLine({ cptCode: "99213" }), testLine({ cptCode: "85025" })]));
    const json = withHeaders(tenant.keys.ADMIN.headers, { "content-type": "application/json" });
    const created = await call("/cpt-mappings", { method: "POST", headers: json, body: JSON.stringify({ cptCode: "99213", groupCode: "MEDICINE" }) });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ cptCode: "99213", groupCode: "MEDICINE", defaultGroupCode: "EM", claimLinesRegrouped: 1 });
    expect((await claimLines(tenant.customer.id)).map((l) => l.cptGroup).sort()).toEqual(["MEDICINE", "PATHOLOGY_LAB"]);
    // New uploads follow the override too.
    await uploadCsv(tenant, toCsv([testLine({ cptCode: "99213" })]));
    expect((await claimLines(tenant.customer.id)).filter((l) => l.cptGroup === "MEDICINE")).toHaveLength(2);
    const removed = await call(`/cpt-mappings/${created.body.id}`, { method: "DELETE", headers: tenant.keys.ADMIN.headers });
    expect(removed.body).toMatchObject({ deleted: true, claimLinesRegrouped: 2 });
    expect((await claimLines(tenant.customer.id)).filter((l) => l.cptGroup === "EM")).toHaveLength(2);
    const groups = await call("/cpt-groups", { headers: tenant.keys.VIEWER.headers });
    expect(groups.body.items.map((g: TJson) => g.code)).toContain("PATHOLOGY_LAB");
  });

  it("keeps tenants apart: another tenant's upload and claim are 404", async () => {
    const a = await createTestTenant();
    const b = await createTestTenant();
    const { body } = await uploadCsv(a, toCsv([testLine()]));
    expect((await call(`/uploads/${body.upload.id}`, { headers: b.keys.ADMIN.headers })).status).toBe(404);
    const claim = await db().claimLine.findFirstOrThrow({ where: { customerId: a.customer.id }, select: { id: true } });
    expect((await call(`/claims/${claim.id}`, { headers: b.keys.ADMIN.headers })).status).toBe(404);
    expect((await call("/uploads", { headers: b.keys.ADMIN.headers })).body.items).toEqual([]);
  });
});

describe("OpenAPI document", () => {
  it("documents all three ways in: multipart/CSV/X12 upload, the template and the JSON batch with its Idempotency-Key", async () => {
    const { status, body } = await call("/openapi.json");
    expect(status).toBe(200);
    const upload = body.paths["/uploads"];
    expect(Object.keys(upload.post.requestBody.content)).toEqual(["multipart/form-data", "text/csv", "application/edi-x12"]);
    expect(Object.keys(upload.post.responses)).toEqual(expect.arrayContaining(["200", "201", "400", "413"]));
    expect(upload.get).toBeDefined();
    expect(upload.post.description).toContain("/api/v1/uploads/template.csv");
    const ingestOp = body.paths["/ingest/claims"].post;
    expect(ingestOp.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: "header", name: "Idempotency-Key" })]));
    for (const path of [
      "/claims",
      "/claims/{id}",
      "/uploads/{id}",
      "/uploads/stats",
      "/payer-mappings",
      "/payer-mappings/{id}",
      "/cpt-mappings",
      "/cpt-mappings/{id}",
      "/payers",
      "/cpt-groups",
    ]) {
      expect(body.paths[path], path).toBeDefined();
    }
  });
});
