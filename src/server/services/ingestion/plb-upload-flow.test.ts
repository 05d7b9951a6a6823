import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestTenant, startRestServer, type TRestServer } from "@/test/factories";

/**
 * An 835 with provider-level adjustments, end to end over real HTTP: POST /uploads applies it,
 * the usable PLB pairs are stored against the remittance's payer, the unusable one is listed by
 * GET /uploads/{id}/issues with its segment and reason, and GET /claims/payer-summary shows the
 * recoupment and the interest in the remittance's month.
 */

let server: TRestServer;

beforeAll(async () => {
  server = await startRestServer();
});

afterAll(async () => {
  await server?.close();
});

function remittance(claimId: string, payer: string): string {
  const body = [
    "ST*835*0001",
    "BPR*I*120*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261103",
    `TRN*1*${claimId}*1512345678`,
    "DTM*405*20261101",
    `N1*PR*${payer}`,
    "N1*PE*CLINIC*XX*1234567893",
    "LX*1",
    `CLP*${claimId}*1*200*150**12*ICN-${claimId}`,
    "DTM*050*20261010",
    "SVC*HC:99213*200*150**1",
    "DTM*472*20261005",
    "CAS*CO*45*50",
    "PLB*1234567893*20261231*WO:ICN-OLD-1*40*L6*-2.25*FB:RA-9*12.5*resnCode:x*9",
  ];
  const segments = [...body, `SE*${body.length + 1}*0001`];
  const isa = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *261101*1000*^*00501*000000778*0*P*:";
  return `${[isa, "GS*HP*PAYERSENDER*CLINICRECV*20261101*1000*778*X*005010X221A1", ...segments, "GE*1*778", "IEA*1*000000778"].join("~\n")}~\n`;
}

describe("an 835 with PLB adjustments", () => {
  it("is applied, its adjustments stored and listed, and the scorecard shows them", async () => {
    const tenant = await createTestTenant();
    const payer = `PLB FLOW PLAN ${tenant.customer.id.slice(0, 8)}`;
    const headers = new Headers(tenant.keys.ANALYST.headers);
    headers.set("content-type", "application/edi-x12");
    const posted = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body: remittance(`PLB-${tenant.customer.id.slice(0, 8)}`, payer) });
    expect(posted.status).toBe(201);
    const { upload } = (await posted.json()) as { upload: { id: string; status: string; appliedCount: number; skippedCount: number } };
    expect(upload).toMatchObject({ status: "APPLIED", appliedCount: 1, skippedCount: 1 });

    const stored = await db().providerAdjustment.findMany({ where: { customerId: tenant.customer.id }, include: { payer: true }, orderBy: { amount: "asc" } });
    expect(stored.map((a) => [a.uploadId, a.payer.name, a.reasonCode, a.reference, a.amount.toFixed(2), a.remittanceDate.toISOString().slice(0, 10)])).toEqual([
      [upload.id, payer, "L6", null, "-2.25", "2026-11-03"],
      [upload.id, payer, "FB", "RA-9", "12.50", "2026-11-03"],
      [upload.id, payer, "WO", "ICN-OLD-1", "40.00", "2026-11-03"],
    ]);

    const issues = await fetch(`${server.baseUrl}/uploads/${upload.id}/issues?kind=skipped`, { headers: tenant.keys.VIEWER.headers });
    const page = (await issues.json()) as { items: { line: number; field: string; message: string }[] };
    expect(page.items).toEqual([
      { position: 1, line: 15, field: "PLB09", message: "adjustment reason code is not a two-character X12 code; the adjustment is skipped" },
    ]);

    const summary = await fetch(`${server.baseUrl}/claims/payer-summary?from=2026-10-01&to=2026-11-30`, { headers: tenant.keys.VIEWER.headers });
    const body = (await summary.json()) as {
      items: { payer: { name: string }; recoupmentAmount: string; interestAmount: string }[];
      adjustmentsByMonth: { payer: { name: string }; month: string; recoupmentAmount: string; interestAmount: string }[];
    };
    expect(body.items.map((row) => [row.payer.name, row.recoupmentAmount, row.interestAmount])).toEqual([[payer, "52.50", "2.25"]]);
    expect(body.adjustmentsByMonth.map((row) => [row.payer.name, row.month, row.recoupmentAmount, row.interestAmount])).toEqual([
      [payer, "2026-11", "52.50", "2.25"],
    ]);
  });
});
