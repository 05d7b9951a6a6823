import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";

/**
 * The reports and drift-events API through both doors: tRPC callers with real API keys, and
 * the REST façade over a real socket (problem+json with field errors for bad input). Includes
 * the detection settings: out-of-range values are refused with field errors.
 */
let server: TRestServer;
let tenant: TTestTenant;
let other: TTestTenant;
const ids = {} as Record<"payer" | "rate" | "time" | "reason" | "resolved", string>;

async function insertEvent(customerId: string, payerId: string, values: Record<string, unknown>) {
  const event = await db().driftEvent.create({
    data: {
      customerId,
      payerId,
      cptGroup: "EM",
      driftType: "DENIAL_RATE",
      baselineValue: 0.08,
      currentValue: 0.2,
      delta: 0.12,
      deltaCiLow: 0.07,
      deltaCiHigh: 0.17,
      pValue: 0.0001,
      qValue: 0.001,
      severity: 0.8,
      direction: "UP",
      estimatedRevenueImpact: "1234.5",
      baselineSampleSize: 2000,
      currentSampleSize: 300,
      baselineStart: new Date("2025-11-18"),
      baselineEnd: new Date("2026-02-15"),
      currentStart: new Date("2026-02-16"),
      currentEnd: new Date("2026-03-01"),
      ...values,
    },
    select: { id: true },
  });
  return event.id;
}

beforeAll(async () => {
  server = await startRestServer();
  [tenant, other] = [await createTestTenant(), await createTestTenant()];
  const payer = await db().payer.create({ data: { customerId: tenant.customer.id, name: "Acme Health Plan" }, select: { id: true } });
  const otherPayer = await db().payer.create({ data: { customerId: tenant.customer.id, name: "Zenith Mutual" }, select: { id: true } });
  ids.payer = payer.id;
  ids.rate = await insertEvent(tenant.customer.id, payer.id, {});
  ids.time = await insertEvent(tenant.customer.id, payer.id, {
    cptGroup: "RADIOLOGY",
    driftType: "DECISION_TIME",
    baselineValue: 12,
    currentValue: 22,
    delta: 10,
    deltaCiLow: 9,
    deltaCiHigh: 11,
    severity: 0.9,
  });
  ids.reason = await insertEvent(tenant.customer.id, otherPayer.id, {
    driftType: "DENIAL_REASON",
    denialReason: "CO-197",
    baselineValue: 0,
    currentValue: 0.3,
    delta: 0.3,
    deltaCiLow: 0.1,
    deltaCiHigh: 0.4,
    severity: 0.6,
  });
  ids.resolved = await insertEvent(tenant.customer.id, payer.id, { cptGroup: "SURGERY", status: "RESOLVED", resolvedAt: new Date(), severity: 0.55 });
});

afterAll(async () => {
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("drift events", () => {
  it("lists in the API.md shape: payer {id, name}, deltaCi [low, high], money as a decimal string", async () => {
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    const page = await caller.driftEvents.list({ driftType: "DENIAL_RATE", status: "ACTIVE" });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      id: ids.rate,
      payer: { id: ids.payer, name: "Acme Health Plan" },
      deltaCi: [0.07, 0.17],
      estimatedRevenueImpact: "1234.50",
      baselineStart: "2025-11-18",
      currentEnd: "2026-03-01",
      status: "ACTIVE",
      consecutivePeriods: 1,
      resolvedAt: null,
    });
  });

  it("filters, searches and orders", async () => {
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    expect((await caller.driftEvents.list({ minSeverity: 0.85 })).items.map((e) => e.id)).toEqual([ids.time]);
    expect((await caller.driftEvents.list({ status: "RESOLVED" })).items.map((e) => e.id)).toEqual([ids.resolved]);
    expect((await caller.driftEvents.list({ payerId: ids.payer, cptGroup: "RADIOLOGY" })).items.map((e) => e.id)).toEqual([ids.time]);
    expect((await caller.driftEvents.list({ search: "zenith" })).items.map((e) => e.id)).toEqual([ids.reason]);
    expect((await caller.driftEvents.list({ search: "co-197" })).items.map((e) => e.id)).toEqual([ids.reason]);
    expect((await caller.driftEvents.list({ search: "%" })).items).toEqual([]);
    expect((await caller.driftEvents.list({ ordering: "-severity" })).items.map((e) => e.id)).toEqual([ids.time, ids.rate, ids.reason, ids.resolved]);
    expect((await caller.driftEvents.list({ detectedTo: new Date("2000-01-01") })).items).toEqual([]);
    await expect(caller.driftEvents.list({ ordering: "payerId" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("paginates by cursor and by page", async () => {
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await caller.driftEvents.list({ limit: 1, cursor, ordering: "-severity" });
      seen.push(...page.items.map((e) => e.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([ids.time, ids.rate, ids.reason, ids.resolved]);
    expect(await caller.driftEvents.list({ page: 2, pageSize: 3 })).toMatchObject({ page: 2, pageSize: 3, total: 4, totalPages: 2 });
    await expect(caller.driftEvents.list({ cursor: "garbage" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("active lists only ACTIVE events, most severe first", async () => {
    const caller = await callerFor(tenant.keys.VIEWER.headers);
    expect((await caller.driftEvents.active({})).items.map((e) => e.id)).toEqual([ids.time, ids.rate, ids.reason]);
  });

  it("gets one event; another tenant's id is a 404", async () => {
    expect(await (await callerFor(tenant.keys.VIEWER.headers)).driftEvents.get({ id: ids.reason })).toMatchObject({ denialReason: "CO-197" });
    await expect((await callerFor(other.keys.ADMIN.headers)).driftEvents.get({ id: ids.reason })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await (await callerFor(other.keys.ADMIN.headers)).driftEvents.list({})).items).toEqual([]);
  });

  it("serves the same over REST", async () => {
    const response = await fetch(`${server.baseUrl}/drift-events?limit=2&ordering=-severity`, { headers: tenant.keys.VIEWER.headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      items: Array<{ id: string; deltaCi: number[]; estimatedRevenueImpact: string; lastDetectedAt: string }>;
      nextCursor: string;
    };
    expect(body.items.map((e) => e.id)).toEqual([ids.time, ids.rate]);
    expect(body.items[0]!.deltaCi).toEqual([9, 11]);
    expect(body.items[0]!.lastDetectedAt).toMatch(/Z$/);
    expect(body.nextCursor).toEqual(expect.any(String));
    const active = await fetch(`${server.baseUrl}/drift-events/active?page=1&pageSize=10`, { headers: tenant.keys.VIEWER.headers });
    expect(((await active.json()) as { total: number }).total).toBe(3);
    const one = await fetch(`${server.baseUrl}/drift-events/${ids.rate}`, { headers: tenant.keys.VIEWER.headers });
    expect(((await one.json()) as { payer: { name: string } }).payer.name).toBe("Acme Health Plan");
    expect((await fetch(`${server.baseUrl}/drift-events/${ids.rate}`, { headers: other.keys.VIEWER.headers })).status).toBe(404);
  });
});

describe("reports (detection runs)", () => {
  it("a VIEWER cannot trigger; an ANALYST gets the queued run at once, and the same run while it is in progress", async () => {
    await expect((await callerFor(tenant.keys.VIEWER.headers)).reports.trigger()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const analyst = await callerFor(tenant.members.ANALYST.session.headers);
    const run = await analyst.reports.trigger();
    expect(run).toMatchObject({ status: "QUEUED", trigger: "MANUAL", created: true, requestedById: tenant.members.ANALYST.id });
    const again = await fetch(`${server.baseUrl}/reports/trigger`, {
      method: "POST",
      headers: { authorization: tenant.keys.ANALYST.headers.get("authorization")!, "content-type": "application/json" },
      body: "{}",
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: run.id, created: false, status: "QUEUED" });

    const viewer = await callerFor(tenant.keys.VIEWER.headers);
    expect(await viewer.reports.get({ id: run.id })).toMatchObject({ id: run.id, status: "QUEUED", summary: {} });
    expect((await viewer.reports.list({ status: "QUEUED" })).items.map((r) => r.id)).toEqual([run.id]);
    const rest = await fetch(`${server.baseUrl}/reports?page=1&pageSize=5`, { headers: tenant.keys.VIEWER.headers });
    expect(((await rest.json()) as { total: number }).total).toBe(1);
    await expect((await callerFor(other.keys.ADMIN.headers)).reports.get({ id: run.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("detection settings", () => {
  const patch = (body: unknown) =>
    fetch(`${server.baseUrl}/settings`, {
      method: "PATCH",
      headers: { authorization: tenant.keys.ADMIN.headers.get("authorization")!, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it.each([
    [{ minSample: 4 }, "minSample"],
    [{ minSample: 100_001 }, "minSample"],
    [{ fdrQ: 0 }, "fdrQ"],
    [{ fdrQ: 0.6 }, "fdrQ"],
    [{ baselineDays: 13 }, "baselineDays"],
    [{ currentDays: 0 }, "currentDays"],
    [{ denialRateGate: 1.5 }, "denialRateGate"],
    [{ paymentDropGate: 0 }, "paymentDropGate"],
    [{ decisionTimeGateDays: 400 }, "decisionTimeGateDays"],
    [{ reasonToShare: 1.2 }, "reasonToShare"],
    [{ reasonMinCount: 0 }, "reasonMinCount"],
    [{ currentDays: 90 }, "currentDays"],
    [{ reasonFromShare: 0.2 }, "reasonFromShare"],
  ])("refuses %j with a field error on %s", async (body, field) => {
    const response = await patch(body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path)).toContain(field);
  });

  it("keeps the settings unchanged after refusals and accepts values in range", async () => {
    const response = await patch({ minSample: 50, fdrQ: 0.1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ minSample: 50, fdrQ: 0.1, baselineDays: 90, currentDays: 14 });
  });
});
