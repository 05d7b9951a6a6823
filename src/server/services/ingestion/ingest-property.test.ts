import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv } from "@/test/claim-csv";
import { createTestTenant, type TTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";
import { x12_835, type TTestClaim } from "@/test/x12-835";

/**
 * Mutated CSV and X12 835 uploads, end to end over HTTP: the answer is never a 5xx, and the
 * database changes exactly by what an APPLIED answer reports — a rejected upload writes nothing.
 */

// Many uploads from one tenant: lift the per-tenant upload limit (read on first use) for this file.
const savedOverrides = process.env.RATE_LIMIT_OVERRIDES;
process.env.RATE_LIMIT_OVERRIDES = JSON.stringify({ upload: { points: 100_000, duration: 3600 } });

let server: TIngestRestServer;
let tenant: TTestTenant;
beforeAll(async () => {
  server = await startIngestRestServer();
  tenant = await createTestTenant();
});
afterAll(async () => {
  await server.close();
  process.env.RATE_LIMIT_OVERRIDES = savedOverrides;
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(",", '"', "\n", "~", "*", "-", "$", "\u0000", "\uFFFD", "ISA", "CLP*X*22*")),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateLine" as const), at: fc.nat() }),
);
type TMutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: TMutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "replace") out = out.slice(0, at) + m.text + out.slice(at + m.text.length);
    if (m.kind === "delete") out = out.slice(0, at) + out.slice(at + m.length);
    if (m.kind === "insert") out = out.slice(0, at) + m.text + out.slice(at);
    if (m.kind === "truncate") out = out.slice(0, at);
    if (m.kind === "duplicateLine") {
      const lines = out.split("\n");
      const line = lines[at % Math.max(1, lines.length)] ?? "";
      lines.splice(at % Math.max(1, lines.length), 0, line);
      out = lines.join("\n");
    }
  }
  return out;
}

async function uploadAndCheck(body: string, contentType: string) {
  const before = await db().claimLine.count({ where: { customerId: tenant.customer.id } });
  const headers = new Headers(tenant.keys.ANALYST.headers);
  headers.set("content-type", contentType);
  const response = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body });
  const answer = (await response.json()) as { upload?: { status: string }; insertedCount?: number; reversedCount?: number; replayed?: boolean };
  const after = await db().claimLine.count({ where: { customerId: tenant.customer.id } });
  expect(response.status).toBeLessThan(500);
  expect([200, 201, 400]).toContain(response.status);
  if (response.status === 201) {
    expect(answer.upload?.status).toBe("APPLIED");
    expect(after).toBe(before + (answer.insertedCount ?? 0) - (answer.reversedCount ?? 0));
  } else {
    expect(after).toBe(before);
  }
}

describe("mutated uploads", () => {
  it("CSV: never a 5xx, never a partial write", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (count, mutations) => {
        const csv = toCsv(Array.from({ length: count }, (_, i) => testLine({ lineNumber: 1 + i, patientAccount: `P${i}`, remarkCodes: "N130" })));
        await uploadAndCheck(mutate(csv, mutations), "text/csv");
      }),
      { numRuns: 60 },
    );
  });

  it("X12 835: never a 5xx, never a partial write", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, reverse) => {
        n += 1;
        const id = `PB-${n}-${Date.now()}`;
        const claims: TTestClaim[] = [
          { id, charge: 100, paid: 80 },
          { id: `${id}-D`, status: "4", charge: 50, paid: 0, adjustments: [["CO", "50", 50] as [string, string, number]] },
        ];
        if (reverse) claims.push({ id, status: "22", charge: 100, paid: 80 });
        await uploadAndCheck(mutate(x12_835(claims), mutations), "application/edi-x12");
      }),
      { numRuns: 60 },
    );
  });
});
