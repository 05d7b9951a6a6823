import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { writeExport } from "@/server/services/exports/export-writers";
import { testLine, toCsv, toJsonLines } from "@/test/claim-csv";
import { createTestTenant, type TTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";
import { x12_835 } from "@/test/x12-835";

/**
 * CPT modifiers through every way in, end to end over real HTTP against the real database: a CSV
 * `modifier` column, the JSON batch's `modifier` (text or list) and the 835 SVC01 composite are
 * stored in one form ("25:59"), shown by the claim read API and the claim-lines export; a bad
 * modifier rejects the upload naming the field, with nothing written.
 */

let server: TIngestRestServer;
beforeAll(async () => {
  server = await startIngestRestServer();
});
afterAll(async () => {
  await server.close();
});

type TJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(tenant: TTestTenant, path: string, init: { method?: string; contentType?: string; body?: string; key?: string } = {}) {
  const headers = new Headers(tenant.keys.ANALYST.headers);
  if (init.contentType) headers.set("content-type", init.contentType);
  if (init.key) headers.set("idempotency-key", init.key);
  const response = await fetch(`${server.baseUrl}${path}`, { method: init.method ?? "GET", headers, body: init.body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as TJson };
}

async function storedModifiers(customerId: string): Promise<Record<string, string>> {
  const lines = await db().claimLine.findMany({ where: { customerId }, select: { submitterClaimId: true, modifier: true } });
  return Object.fromEntries(lines.map((line) => [line.submitterClaimId, line.modifier]));
}

describe("claim line modifiers", () => {
  it("CSV: the modifier column is stored canonical, read back by the API and written by the export", async () => {
    const tenant = await createTestTenant();
    const lines = [
      testLine({ submitterClaimId: "PRO", cptCode: "71046", modifier: "26" }),
      testLine({ submitterClaimId: "TWO", modifier: " 25 , 59 " }),
      testLine({ submitterClaimId: "FOUR", modifier: "lt:59 xu;GA" }),
      testLine({ submitterClaimId: "NONE" }),
    ];
    const upload = await call(tenant, "/uploads", { method: "POST", contentType: "text/csv", body: toCsv(lines) });
    expect(upload.status).toBe(201);
    expect(upload.body.upload).toMatchObject({ status: "APPLIED", appliedCount: 4 });
    expect(await storedModifiers(tenant.customer.id)).toEqual({ PRO: "26", TWO: "25:59", FOUR: "LT:59:XU:GA", NONE: "" });

    const listed = await call(tenant, "/claims?limit=10");
    expect(listed.status).toBe(200);
    const byId = Object.fromEntries((listed.body.items as TJson[]).map((item) => [item.submitterClaimId, item]));
    expect(byId.PRO).toMatchObject({ cptCode: "71046", modifier: "26" });
    expect(byId.NONE).toMatchObject({ modifier: "" });
    const one = await call(tenant, `/claims/${byId.TWO.id}`);
    expect(one.body).toMatchObject({ submitterClaimId: "TWO", modifier: "25:59" });

    const { content } = await writeExport(
      tenant.customer.id,
      { kind: "CLAIMS", params: { decidedFrom: "2024-01-01", decidedTo: "2024-12-31" } },
      async () => {},
    );
    const [header, ...rows] = content.trim().split(/\r?\n/);
    const columns = header!.split(",");
    const at = (name: string) => columns.indexOf(name);
    expect(at("modifier")).toBe(at("cpt_code") + 1);
    const exported = Object.fromEntries(rows.map((row) => row.split(",")).map((cells) => [cells[at("submitter_claim_id")], cells[at("modifier")]]));
    expect(exported).toEqual({ PRO: "26", TWO: "25:59", FOUR: "LT:59:XU:GA", NONE: "" });
  });

  it.each([
    ["not two characters", "2X6"],
    ["punctuation", "2-6"],
    ["five modifiers", "25:59:XU:LT:GA"],
  ])("CSV: a bad modifier (%s) rejects the upload naming the field; nothing is written", async (_, modifier) => {
    const tenant = await createTestTenant();
    const csv = toCsv([testLine({ modifier: "26" }), testLine({ modifier })]);
    const { status, body } = await call(tenant, "/uploads", { method: "POST", contentType: "text/csv", body: csv });
    expect(status).toBe(400);
    expect(body.upload).toMatchObject({ status: "REJECTED" });
    expect(body.upload.errors).toEqual([{ line: 3, field: "modifier", message: expect.stringMatching(/modifier/) }]);
    expect(await db().claimLine.count({ where: { customerId: tenant.customer.id } })).toBe(0);
  });

  it("JSON batch: modifier as text or list; a bad one is a 400 at lines.N.modifier with nothing applied", async () => {
    const tenant = await createTestTenant();
    const good = toJsonLines([testLine({ submitterClaimId: "J-TEXT", modifier: "tc" }), testLine({ submitterClaimId: "J-NONE" })]);
    const listed = { ...toJsonLines([testLine({ submitterClaimId: "J-LIST" })])[0], modifier: ["26", "lt", "26"] };
    const ok = await call(tenant, "/ingest/claims", {
      method: "POST",
      contentType: "application/json",
      key: "mods-ok",
      body: JSON.stringify({ lines: [...good, listed] }),
    });
    expect(ok.status).toBe(200);
    expect(await storedModifiers(tenant.customer.id)).toEqual({ "J-TEXT": "TC", "J-NONE": "", "J-LIST": "26:LT" });

    const other = await createTestTenant();
    const bad = toJsonLines([testLine(), testLine({ modifier: "ABC" })]);
    const rejected = await call(other, "/ingest/claims", {
      method: "POST",
      contentType: "application/json",
      key: "mods-bad",
      body: JSON.stringify({ lines: bad }),
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body.errors).toEqual([{ path: "lines.1.modifier", message: expect.stringMatching(/modifier/) }]);
    expect(await db().claimLine.count({ where: { customerId: other.customer.id } })).toBe(0);
  });

  it("835: the SVC01 composite's modifiers are stored in order; a bad one skips its line, naming SVC01-3", async () => {
    const tenant = await createTestTenant();
    const text = x12_835([
      { id: "R-PRO", charge: 100, paid: 30, code: "71046", modifiers: ["26"] },
      { id: "R-FOUR", charge: 100, paid: 80, code: "99213", modifiers: ["25", "59", "XU", "GT"] },
      { id: "R-NONE", charge: 100, paid: 80 },
      { id: "R-BAD", charge: 100, paid: 80, modifiers: ["2"] },
    ]);
    const { status, body } = await call(tenant, "/uploads", { method: "POST", contentType: "application/edi-x12", body: text });
    expect(status).toBe(201);
    expect(body.upload).toMatchObject({ status: "APPLIED", appliedCount: 3, skippedCount: 1 });
    expect(body.upload.skipped).toEqual([{ line: expect.any(Number), field: "SVC01-3", message: expect.stringMatching(/modifier.*skipped/) }]);
    expect(await storedModifiers(tenant.customer.id)).toEqual({ "R-PRO": "26", "R-FOUR": "25:59:XU:GT", "R-NONE": "" });
  });
});
