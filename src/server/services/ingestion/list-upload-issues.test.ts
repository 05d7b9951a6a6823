import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { installQueryLog, withQueryLog, applicationQueries } from "@/test/query-log";
import { callerFor } from "@/test/factories";

/**
 * GET /api/v1/uploads/{id}/issues over real HTTP against the real database: pages cut in SQL
 * over the upload's stored lists, in their recorded order, with totals; the tenant's own uploads
 * only (another tenant's id is 404, as an unknown one); every bad parameter a 400 problem naming
 * it; the answer matching its OpenAPI schema; one statement whatever the page size.
 */

installQueryLog();

let server: TRestServer;
let tenant: TTestTenant;
let uploadId: string;

type TJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const skipped = Array.from({ length: 7 }, (_, i) => ({ line: 10 + i * 3, field: i % 2 ? "SVC01" : "CAS01", message: `skipped reason ${i + 1}` }));
const warnings = [
  { line: 1, field: "ISA", message: "no ISA/GS envelope: read with the default separators" },
  { line: 40, field: "SE01", message: "SE01 declares 29 segments, counted 19" },
];

async function createUpload(customerId: string, lists: { skipped: unknown[]; warnings: unknown[]; skippedCount: number; warningCount: number }) {
  const [row] = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, status, row_count, applied_count,
                         skipped_count, warning_count, skipped, warnings, completed_at)
    VALUES (${customerId}::uuid, 'era.835', 'X12_835', 100, gen_random_uuid()::text, 'APPLIED', 5, 5,
            ${lists.skippedCount}::int, ${lists.warningCount}::int, ${JSON.stringify(lists.skipped)}::jsonb, ${JSON.stringify(lists.warnings)}::jsonb, now())
    RETURNING id::text`;
  return row!.id;
}

async function call(path: string, headers: Headers = tenant.keys.VIEWER.headers): Promise<{ status: number; type: string; body: TJson }> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: text ? (JSON.parse(text) as TJson) : {} };
}

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  uploadId = await createUpload(tenant.customer.id, { skipped, warnings, skippedCount: 1234, warningCount: 2 });
});

afterAll(async () => {
  await server?.close();
});

describe("GET /uploads/{id}/issues", () => {
  it("pages through the skipped items in their recorded order, with totals", async () => {
    const pages = [];
    for (const page of [1, 2, 3, 4]) {
      const { status, body } = await call(`/uploads/${uploadId}/issues?kind=skipped&page=${page}&limit=3`);
      expect(status).toBe(200);
      pages.push(body);
    }
    expect(pages.map((p) => p.items.map((item: TJson) => item.position))).toEqual([[1, 2, 3], [4, 5, 6], [7], []]);
    expect(pages.flatMap((p) => p.items.map(({ line, field, message }: TJson) => ({ line, field, message })))).toEqual(skipped);
    for (const p of pages) expect(p).toMatchObject({ kind: "skipped", limit: 3, total: 7, totalPages: 3, found: 1234 });
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4]);
  });

  it("lists the warnings with kind=warning, 50 a page by default", async () => {
    const { status, body } = await call(`/uploads/${uploadId}/issues?kind=warning`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "warning", page: 1, limit: 50, total: 2, totalPages: 1, found: 2 });
    expect(body.items).toEqual(warnings.map((warning, i) => ({ ...warning, position: i + 1 })));
  });

  it("answers an upload with nothing listed with an empty page", async () => {
    const clean = await createUpload(tenant.customer.id, { skipped: [], warnings: [], skippedCount: 0, warningCount: 0 });
    const { status, body } = await call(`/uploads/${clean}/issues?kind=skipped`);
    expect(status).toBe(200);
    expect(body).toEqual({ kind: "skipped", items: [], page: 1, limit: 50, total: 0, totalPages: 0, found: 0 });
  });

  it("is 404 for another tenant's upload and for an unknown id, and 401 without credentials", async () => {
    const other = await createTestTenant();
    const theirs = await createUpload(other.customer.id, { skipped, warnings, skippedCount: 7, warningCount: 2 });
    for (const id of [theirs, "00000000-0000-4000-8000-000000000000"]) {
      const { status, type, body } = await call(`/uploads/${id}/issues?kind=skipped`);
      expect(status).toBe(404);
      expect(type).toContain("application/problem+json");
      expect(JSON.stringify(body)).not.toContain("skipped reason");
    }
    // The owner sees it.
    expect((await call(`/uploads/${theirs}/issues?kind=skipped`, other.keys.VIEWER.headers)).body.total).toBe(7);
    expect((await call(`/uploads/${uploadId}/issues?kind=skipped`, new Headers())).status).toBe(401);
  });

  it("refuses bad parameters with a 400 problem naming the field", async () => {
    const cases: [string, string][] = [
      ["", "kind"],
      ["kind=errors", "kind"],
      ["kind=skipped&page=0", "page"],
      ["kind=skipped&page=two", "page"],
      ["kind=skipped&page=1001", "page"],
      ["kind=skipped&limit=0", "limit"],
      ["kind=skipped&limit=101", "limit"],
      ["kind=skipped&limit=1.5", "limit"],
    ];
    for (const [query, field] of cases) {
      const { status, type, body } = await call(`/uploads/${uploadId}/issues?${query}`);
      expect(status, query).toBe(400);
      expect(type).toContain("application/problem+json");
      expect(
        body.errors.map((e: TJson) => e.path),
        query,
      ).toEqual([field]);
    }
    const badId = await call(`/uploads/not-a-uuid/issues?kind=skipped`);
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((e: TJson) => e.path)).toEqual(["id"]);
    const unknown = await call(`/uploads/${uploadId}/issues?kind=skipped&customerId=${tenant.customer.id}`);
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain("customerId");
  });

  it("answers what its OpenAPI schema documents", async () => {
    const document = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
      components: { schemas: Record<string, object> };
    };
    const operation = document.paths["/uploads/{id}/issues"]?.get;
    expect(operation?.parameters?.map((p) => p.name).sort()).toEqual(["id", "kind", "limit", "page"]);
    expect(Object.keys(operation!.responses)).toContain("404");
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "driftline", components: document.components } as object);
    const schema = JSON.parse(
      JSON.stringify(operation!.responses["200"]!.content!["application/json"]!.schema).replace(/"#\/components\//g, '"driftline#/components/'),
    ) as object;
    const validate = ajv.compile(schema);
    const { body } = await call(`/uploads/${uploadId}/issues?kind=skipped&limit=2`);
    expect(validate(body) ? [] : validate.errors).toEqual([]);
  });

  it("costs one statement whatever the page size", async () => {
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    const counts: number[] = [];
    for (const limit of [1, 10, 100]) {
      const { queries, result } = await withQueryLog(() => caller.uploads.issues({ id: uploadId, kind: "skipped", limit }));
      expect(result.items.length).toBe(Math.min(limit, 7));
      counts.push(applicationQueries(queries).length);
    }
    expect(counts).toEqual([1, 1, 1]);
  });
});
