import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { writeExport } from "@/server/services/exports/export-writers";
import { closeIngestPool, ingestPool } from "@/server/services/ingestion/ingest-pool";
import type { TX12ProviderAdjustment } from "@/server/services/ingestion/parse/x12-835-plb";
import { recordProviderAdjustments } from "@/server/services/ingestion/provider-adjustments";
import { createTestPayer } from "@/test/alerts-kit";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { seedReadSide } from "@/test/read-side-data";

/**
 * The payer scorecard's recoupments and interest, from provider adjustments written by the real
 * PLB writer: summed in SQL per payer and month of the remittance date, recoupment codes as
 * stored and L6 interest with the sign flipped, other codes and other periods left out, another
 * tenant's rows never counted, served by the covering index, and documented in OpenAPI.
 */

let server: TRestServer;
let tenant: TTestTenant;
let payerA: string;
let payerB: string;
let uploadId: string;

const DAY_MS = 86_400_000;
const today = new Date();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const to = day(Date.parse(`${today.toISOString().slice(0, 10)}T00:00:00Z`));
const from = day(Date.parse(`${to}T00:00:00Z`) - 89 * DAY_MS);
// Two months inside the period: this month's first day and the 15th of the month before.
const thisMonth = `${to.slice(0, 7)}-01`;
const lastMonth = (() => {
  const d = new Date(`${thisMonth}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1, 15);
  return day(d.getTime());
})();
const beforePeriod = day(Date.parse(`${from}T00:00:00Z`) - DAY_MS);

const plb = (remittanceDate: string, reasonCode: string, amount: string): TX12ProviderAdjustment => ({
  line: 30,
  providerIdentifier: "1234567893",
  fiscalPeriodDate: "2024-12-31",
  remittanceDate,
  reasonCode,
  amount,
});

async function record(customerId: string, upload: string, payerId: string, adjustments: TX12ProviderAdjustment[]) {
  const client = await ingestPool().connect();
  try {
    await client.query("BEGIN");
    await recordProviderAdjustments(client, customerId, upload, payerId, adjustments);
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  const seeded = await seedReadSide(tenant.customer.id, { payers: 1, linesPerPayer: 100 });
  payerA = seeded.payerIds[0]!;
  uploadId = seeded.uploadId;
  // B has adjustments but no claim line at all.
  payerB = (await createTestPayer(tenant.customer.id)).id;
  await record(tenant.customer.id, uploadId, payerA, [
    plb(thisMonth, "WO", "250.00"),
    plb(thisMonth, "FB", "100.00"),
    plb(thisMonth, "FB", "-40.00"), // part of a forwarded balance given back
    plb(thisMonth, "72", "30.00"),
    plb(thisMonth, "L6", "-12.50"),
    plb(thisMonth, "CS", "999.00"), // a plain adjustment: neither
    plb(thisMonth, "CT", "-500.00"), // a capitation payment: neither
    plb(lastMonth, "WO", "10.05"),
    plb(lastMonth, "L6", "-0.45"),
    plb(beforePeriod, "WO", "7777.00"), // outside the period
  ]);
  await record(tenant.customer.id, uploadId, payerB, [plb(lastMonth, "J1", "5.00")]);
  // Another tenant's takebacks, same dates: never in this tenant's figures.
  const other = await createTestTenant();
  const otherSeed = await seedReadSide(other.customer.id, { payers: 1, linesPerPayer: 10 });
  await record(other.customer.id, otherSeed.uploadId, otherSeed.payerIds[0]!, [plb(thisMonth, "WO", "1000.00"), plb(thisMonth, "L6", "-100.00")]);
});

afterAll(async () => {
  await server?.close();
  await closeIngestPool();
});

describe("payer scorecard: recoupments and interest", () => {
  it("sums them per payer and month of the period, in SQL, with the signs a billing manager expects", async () => {
    const summary = await (await callerFor(tenant.keys.VIEWER.headers)).claims.payerSummary({ from, to });
    const nameOf = async (id: string) => (await db().payer.findUniqueOrThrow({ where: { id } })).name;
    const [nameA, nameB] = [await nameOf(payerA), await nameOf(payerB)];
    const expected = [
      { payer: { id: payerA, name: nameA }, month: thisMonth.slice(0, 7), recoupmentAmount: "340.00", interestAmount: "12.50" },
      { payer: { id: payerA, name: nameA }, month: lastMonth.slice(0, 7), recoupmentAmount: "10.05", interestAmount: "0.45" },
      { payer: { id: payerB, name: nameB }, month: lastMonth.slice(0, 7), recoupmentAmount: "5.00", interestAmount: "0.00" },
    ];
    // Newest month first, then by payer name.
    expect(summary.adjustmentsByMonth).toEqual(expected.sort((x, y) => y.month.localeCompare(x.month) || x.payer.name.localeCompare(y.payer.name)));
    expect(summary.adjustmentTotals).toEqual({ recoupmentAmount: "355.05", interestAmount: "12.95" });
    // The payer row carries the period's sums; B has no decided line, so no row of its own.
    expect(summary.items.map((row) => [row.payer.id, row.recoupmentAmount, row.interestAmount])).toEqual([[payerA, "350.05", "12.95"]]);
  });

  it("carries the payer's recouped and interest amounts into the scorecard CSV export", async () => {
    const { content } = await writeExport(tenant.customer.id, { kind: "PAYER_SCORECARD", params: { from, to } }, async () => {});
    const [header, ...rows] = content.trimEnd().split("\r\n");
    expect(header!.split(",").slice(-2)).toEqual(["recouped_amount", "interest_paid_amount"]);
    expect(rows.map((row) => row.split(",").slice(-2))).toEqual([["350.05", "12.95"]]);
  });

  it("shows zeros and no months for a period without adjustments", async () => {
    const longAgo = { from: day(Date.parse(`${from}T00:00:00Z`) - 400 * DAY_MS), to: day(Date.parse(`${from}T00:00:00Z`) - 300 * DAY_MS) };
    const summary = await (await callerFor(tenant.keys.VIEWER.headers)).claims.payerSummary(longAgo);
    expect(summary.adjustmentsByMonth).toEqual([]);
    expect(summary.adjustmentTotals).toEqual({ recoupmentAmount: "0.00", interestAmount: "0.00" });
  });

  it("reads the adjustments with an index-only scan of the covering index", async () => {
    await db().$executeRawUnsafe("VACUUM (ANALYZE) provider_adjustments");
    const plan = await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT payer_id, to_char(remittance_date, 'YYYY-MM'), sum(amount) FILTER (WHERE reason_code = 'WO')
         FROM provider_adjustments WHERE customer_id = $1::uuid AND remittance_date >= $2::date AND remittance_date <= $3::date GROUP BY 1, 2`,
        tenant.customer.id,
        from,
        to,
      );
    });
    expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toMatch(/Index Only Scan using provider_adjustments_customer_remitted_idx/);
  });

  it("answers GET /claims/payer-summary with the fields its OpenAPI schema documents", async () => {
    const document = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { description?: string; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
      components: { schemas: Record<string, object> };
    };
    const operation = document.paths["/claims/payer-summary"]!.get!;
    expect(operation.description).toMatch(/recoupments and interest/i);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "driftline", components: document.components } as object);
    const schema = JSON.parse(
      JSON.stringify(operation.responses["200"]!.content!["application/json"]!.schema).replace(/"#\/components\//g, '"driftline#/components/'),
    ) as object;
    const response = await fetch(`${server.baseUrl}/claims/payer-summary?from=${from}&to=${to}`, { headers: tenant.keys.VIEWER.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { adjustmentTotals: unknown; adjustmentsByMonth: unknown[] };
    const validate = ajv.compile(schema);
    expect(validate(body) ? [] : validate.errors).toEqual([]);
    expect(body.adjustmentTotals).toEqual({ recoupmentAmount: "355.05", interestAmount: "12.95" });
    expect(body.adjustmentsByMonth).toHaveLength(3);
    expect(JSON.stringify(schema)).toContain("recoupmentAmount");
  });
});
