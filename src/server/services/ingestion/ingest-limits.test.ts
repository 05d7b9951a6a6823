import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv, toJsonLines } from "@/test/claim-csv";
import { createTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";

/**
 * Upload limits answer 413 naming the limit, and nothing is stored. Small limits are set in the
 * environment before the env module is first read (it caches on first use).
 */
const saved = {
  bytes: process.env.UPLOAD_MAX_BYTES,
  rows: process.env.UPLOAD_MAX_ROWS,
  segments: process.env.X12_MAX_SEGMENTS,
  elements: process.env.X12_MAX_ELEMENTS,
};
process.env.UPLOAD_MAX_BYTES = "3000";
process.env.UPLOAD_MAX_ROWS = "4";
process.env.X12_MAX_SEGMENTS = "25";
process.env.X12_MAX_ELEMENTS = "400";

let server: TIngestRestServer;
beforeAll(async () => {
  server = await startIngestRestServer();
});
afterAll(async () => {
  await server.close();
  process.env.UPLOAD_MAX_BYTES = saved.bytes;
  process.env.UPLOAD_MAX_ROWS = saved.rows;
  process.env.X12_MAX_SEGMENTS = saved.segments;
  process.env.X12_MAX_ELEMENTS = saved.elements;
});

/** An 835 of `claims` one-line claims, each of 2 segments of a few elements. */
function x12(claims: number, elementsPerSvc = 5) {
  const body = ["ST*835*1", "BPR*I*0*C*NON************20240320", "DTM*405*20240315", "N1*PR*ACME"];
  for (let n = 0; n < claims; n += 1) body.push(`CLP*L-${n}*1*10*10*0*12*I${n}`, `SVC*HC:99213*10*10**1${"*".repeat(elementsPerSvc - 5)}`);
  body.push(`SE*${body.length + 1}*1`);
  return `${body.join("~")}~`;
}

async function post(headers: Headers, body: BodyInit, contentType?: string) {
  const sent = new Headers(headers);
  if (contentType) sent.set("content-type", contentType);
  const response = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers: sent, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("upload limits", () => {
  it("answers 413 naming UPLOAD_MAX_BYTES for a body over the size limit (raw and multipart), storing nothing", async () => {
    const tenant = await createTestTenant();
    const big = toCsv(Array.from({ length: 30 }, () => testLine()));
    expect(big.length).toBeGreaterThan(3000);
    const raw = await post(tenant.keys.ANALYST.headers, big, "text/csv");
    expect(raw.status).toBe(413);
    expect(raw.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.stringContaining("UPLOAD_MAX_BYTES") });
    const form = new FormData();
    form.append("file", new Blob([big], { type: "text/csv" }), "big.csv");
    const multipart = await post(tenant.keys.ANALYST.headers, form);
    expect(multipart.status).toBe(413);
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    expect(await db().claimLine.count({ where: { customerId: tenant.customer.id } })).toBe(0);
  });

  it("answers 413 naming UPLOAD_MAX_ROWS for a file with too many rows, storing nothing", async () => {
    const tenant = await createTestTenant();
    const rows = await post(tenant.keys.ANALYST.headers, toCsv(Array.from({ length: 5 }, () => testLine({ payerName: "A" }))), "text/csv");
    expect(rows.status).toBe(413);
    expect(rows.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.stringContaining("UPLOAD_MAX_ROWS") });
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    expect(await db().claimLine.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    const within = await post(tenant.keys.ANALYST.headers, toCsv(Array.from({ length: 4 }, () => testLine({ payerName: "A" }))), "text/csv");
    expect(within.status).toBe(201);
  });

  it("answers 413 naming X12_MAX_SEGMENTS or X12_MAX_ELEMENTS for an 835 past them, storing nothing", async () => {
    const tenant = await createTestTenant();
    const segments = await post(tenant.keys.ANALYST.headers, x12(12), "application/edi-x12");
    expect(segments.status).toBe(413);
    expect(segments.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.stringContaining("X12_MAX_SEGMENTS") });
    const elements = await post(tenant.keys.ANALYST.headers, x12(2, 250), "application/edi-x12");
    expect(elements.status).toBe(413);
    expect(elements.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", detail: expect.stringContaining("X12_MAX_ELEMENTS") });
    expect(await db().upload.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    // Within both limits the same shape is read: its claims have no service date, so all are skipped.
    const within = await post(tenant.keys.ANALYST.headers, x12(2), "application/edi-x12");
    expect(within.status).toBe(400);
    expect(within.body).toMatchObject({ upload: { status: "REJECTED", skippedCount: 2 } });
  });

  it("applies the row limit to JSON batches too", async () => {
    const tenant = await createTestTenant();
    const headers = new Headers(tenant.keys.ANALYST.headers);
    headers.set("content-type", "application/json");
    headers.set("idempotency-key", "too-many");
    const response = await fetch(`${server.baseUrl}/ingest/claims`, {
      method: "POST",
      headers,
      body: JSON.stringify({ lines: toJsonLines(Array.from({ length: 5 }, () => testLine())) }),
    });
    expect(response.status).toBe(413);
  });
});
