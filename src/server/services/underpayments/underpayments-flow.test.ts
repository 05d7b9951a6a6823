import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { testLine, toCsv, type TTestLine } from "@/test/claim-csv";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";

/**
 * Fee schedules to underpayments to recovery, end to end over real HTTP: POST /fee-schedules
 * (all or nothing, supersession kept as history), expected payment = rate × units on the service
 * date, the worklist (GET /underpayments) holding exactly the lines allowed below contract beyond
 * the tolerance, bulk status changes, and a later correction that pays the difference recorded as
 * recovered.
 */

let server: TRestServer;
let tenant: TTestTenant;
let payer: string;

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  payer = `Contract Health ${tenant.customer.id.slice(0, 8)}`;
});

afterAll(async () => {
  await server?.close();
});

function multipart(csv: string, filename = "schedule.csv"): { body: string; contentType: string } {
  const boundary = "----driftline-test-boundary";
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function postSchedule(csv: string, role: "VIEWER" | "ANALYST" = "ANALYST") {
  const { body, contentType } = multipart(csv);
  const headers = new Headers(tenant.keys[role].headers);
  headers.set("content-type", contentType);
  const response = await fetch(`${server.baseUrl}/fee-schedules`, { method: "POST", headers, body });
  return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as Record<string, unknown> };
}

async function postClaims(lines: TTestLine[]) {
  const headers = new Headers(tenant.keys.ANALYST.headers);
  headers.set("content-type", "text/csv");
  const response = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body: toCsv(lines) });
  expect(response.status, await response.clone().text()).toBe(201);
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers: tenant.keys.ANALYST.headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

type TRate = {
  cptCode: string;
  rate: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  status: string;
  modifier: string | null;
  feeSchedule: { version: number };
};
type TUnder = {
  id: string;
  submitterClaimId: string;
  expectedAmount: string;
  allowedAmount: string;
  paidAmount: string | null;
  variance: string;
  status: string;
  recoveredAmount: string;
  recoveredAt: string | null;
};

describe("fee schedules and the underpayment worklist", () => {
  it("rejects a schedule with row errors as a whole, naming line and field, and writes nothing", async () => {
    const csv = `payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo\n${payer},99213,,100.00,2026-01-01,\n${payer},9921,,-5,2026-13-01,\n${payer},99214,25X,10.00,2026-02-01,2026-01-01\n`;
    const answer = await postSchedule(csv);
    expect(answer.status).toBe(400);
    expect(answer.type).toContain("application/problem+json");
    const errors = (answer.body.errors as { path: string }[]).map((e) => e.path);
    expect(errors).toEqual(expect.arrayContaining(["line 3: cptCode", "line 3: rate", "line 3: effectiveFrom", "line 4: modifier", "line 4: effectiveTo"]));
    expect(await db().feeSchedule.count({ where: { customerId: tenant.customer.id } })).toBe(0);
    expect(await db().feeScheduleRate.count({ where: { customerId: tenant.customer.id } })).toBe(0);
  });

  it("needs the ANALYST role to upload", async () => {
    const answer = await postSchedule(`payerName,cptCode,rate,effectiveFrom\n${payer},99213,100.00,2026-01-01\n`, "VIEWER");
    expect(answer.status).toBe(403);
  });

  it("applies schedules, supersedes overlapping dates, keeps history, and finds exactly the underpaid lines", async () => {
    const first = await postSchedule(
      `payer_name,cpt_code,modifier,rate,effective_from,effective_to\n${payer},99213,,100.00,2026-01-01,\n${payer},99214,,150.00,2026-01-01,\n`,
    );
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // From March on, 99213 pays 110: the first rate stays for January and February.
    const second = await postSchedule(`payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo\n${payer},99213,,110.00,2026-03-01,\n`);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ supersededCount: 1, feeSchedule: { version: 2 } });

    const list = await get<{ items: TRate[] }>("/fee-schedules?cptCode=99213");
    expect(list.items.map((r) => [r.rate, r.effectiveFrom, r.effectiveTo, r.status, r.feeSchedule.version])).toEqual([
      ["110.00", "2026-03-01", null, "CURRENT", 2],
      ["100.00", "2026-01-01", null, "SUPERSEDED", 1],
    ]);
    const current = await get<{ items: TRate[] }>("/fee-schedules?status=CURRENT&limit=1");
    expect(current.items).toHaveLength(1);

    const base = { payerName: payer, billedAmount: "400.00", decidedAt: "2026-04-10", submittedAt: "2026-04-02", paidAt: "2026-04-12" };
    const lines = {
      // February, 99213 at 100 × 2 units = 200 expected; allowed 170: underpaid by 30.
      under: testLine({ ...base, cptCode: "99213", units: 2, serviceDate: "2026-02-10", allowedAmount: "170.00", paidAmount: "136.00" }),
      // April, 99213 at 110: allowed 110 is at contract.
      atContract: testLine({ ...base, cptCode: "99213", serviceDate: "2026-04-01", allowedAmount: "110.00", paidAmount: "88.00" }),
      // 99214 at 150, allowed 148.60: within the tolerance (max(1 %, $1) = $1.50).
      withinTolerance: testLine({ ...base, cptCode: "99214", serviceDate: "2026-04-01", allowedAmount: "148.60", paidAmount: "100.00" }),
      // 99215 has no rate: "no contract", never underpaid however low.
      noContract: testLine({ ...base, cptCode: "99215", serviceDate: "2026-04-01", allowedAmount: "1.00", paidAmount: "1.00" }),
      // Denied: a denial, not an underpayment.
      denied: testLine({
        ...base,
        cptCode: "99214",
        serviceDate: "2026-04-01",
        allowedAmount: "0.00",
        paidAmount: "0.00",
        outcome: "DENIED",
        denialReason: "CO-50",
        paidAt: undefined,
      }),
      // Before any rate's dates: no contract.
      beforeDates: testLine({ ...base, cptCode: "99213", serviceDate: "2025-12-20", allowedAmount: "10.00", paidAmount: "10.00" }),
    };
    await postClaims(Object.values(lines));

    const worklist = await get<{ items: TUnder[] }>("/underpayments");
    expect(worklist.items.map((u) => [u.submitterClaimId, u.expectedAmount, u.allowedAmount, u.paidAmount, u.variance, u.status])).toEqual([
      [lines.under.submitterClaimId, "200.00", "170.00", "136.00", "30.00", "OPEN"],
    ]);
    const paged = await get<{ items: TUnder[]; total: number }>("/underpayments?page=1&pageSize=10&status=OPEN&cptCode=99213");
    expect(paged.total).toBe(1);
    expect((await get<{ items: TUnder[] }>("/underpayments?status=APPEALED")).items).toEqual([]);

    // Appeal it and assign it to the analyst.
    const headers = new Headers(tenant.keys.ANALYST.headers);
    headers.set("content-type", "application/json");
    const id = worklist.items[0]!.id;
    const changed = await fetch(`${server.baseUrl}/underpayments/bulk-status`, {
      method: "POST",
      headers,
      body: JSON.stringify({ ids: [id, "00000000-0000-4000-8000-000000000000"], status: "APPEALED", assigneeId: tenant.members.ANALYST.id }),
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ changed: [id], skipped: ["00000000-0000-4000-8000-000000000000"] });
    const outsider = await fetch(`${server.baseUrl}/underpayments/bulk-status`, {
      method: "POST",
      headers,
      body: JSON.stringify({ ids: [id], assigneeId: "00000000-0000-4000-8000-000000000001" }),
    });
    expect(outsider.status).toBe(400);
    // The worklist filtered to APPEALED, page mode as the page asks for it, shows it.
    const appealed = await get<{ items: TUnder[]; total: number }>("/underpayments?page=1&pageSize=50&status=APPEALED");
    expect([appealed.total, appealed.items.map((u) => [u.id, u.status])]).toEqual([1, [[id, "APPEALED"]]]);

    // The payer's corrected 835 pays the contract: the line is recovered, with amount and date.
    await postClaims([{ ...lines.under, allowedAmount: "200.00", paidAmount: "160.00" }]);
    const [recovered] = (await get<{ items: TUnder[] }>(`/underpayments?search=${encodeURIComponent(String(lines.under.submitterClaimId))}`)).items;
    const [clock] = await db().$queryRaw<{ today: Date }[]>`SELECT current_date AS today`;
    expect(recovered).toMatchObject({
      status: "RECOVERED",
      allowedAmount: "200.00",
      variance: "0.00",
      recoveredAmount: "30.00",
      recoveredAt: clock!.today.toISOString().slice(0, 10),
    });
    const summary = await get<{ recoveredThisMonth: string; recoveredTotal: string }>("/underpayments/summary");
    expect(summary).toMatchObject({ recoveredThisMonth: "30.00", recoveredTotal: "30.00" });
    const dashboard = await get<{ totals: { recoveredThisMonth: string } }>("/dashboard");
    expect(dashboard.totals.recoveredThisMonth).toBe("30.00");

    // The worklist is PHI: a viewer may not read it; the CSV export carries the same row.
    expect((await fetch(`${server.baseUrl}/underpayments`, { headers: tenant.keys.VIEWER.headers })).status).toBe(403);
    const csv = await fetch(`${server.baseUrl}/underpayments/export.csv?status=RECOVERED`, { headers: tenant.keys.ANALYST.headers });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = (await csv.text()).trim().split("\r\n");
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(`${String(lines.under.submitterClaimId)},1,${payer},99213,EM,2026-02-10,2.00,100.00,,200.00,200.00,160.00,0.00,RECOVERED`);
    const audited = await db().auditEvent.count({ where: { customerId: tenant.customer.id, action: { in: ["underpayment.list", "underpayment.export"] } } });
    expect(audited).toBeGreaterThanOrEqual(2);
  });
});
