import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { principalCache } from "@/server/auth/principal-cache";
import { driverRoundTrips } from "@/server/db/pg-driver";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { createTestDriftEvent, createTestPayer, createTestRule, evaluateAsDetection } from "@/test/alerts-kit";
import { db } from "@/server/db/client";
import { seedReadSide } from "@/test/read-side-data";

/**
 * Round trips to PostgreSQL per request on the hot routes, counted at the driver edge
 * (pg-driver.ts counts every statement the application's pools send). Once a caller is warm
 * (principal cached, lastUsedAt written this minute, a rate-limit lease held), a request costs
 * its own statements, each in a tenant transaction of three round trips — BEGIN and the tenant
 * prelude in one, the statement, COMMIT — and nothing else: no principal lookup, no counter
 * write. The count does not grow with the page size.
 */

let server: TRestServer;
let tenant: TTestTenant;

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  await seedReadSide(tenant.customer.id, { payers: 3, linesPerPayer: 50, driftEvents: 60, activeDriftEvents: 40, runs: 3 });
  expect(await principalCache().whenListening()).toBe(true);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

async function roundTrips(url: string, headers: Headers): Promise<number> {
  // Warm: the first request of a caller looks it up and writes lastUsedAt; then measure.
  for (let i = 0; i < 2; i += 1) expect((await fetch(url, { headers })).status).toBe(200);
  const before = driverRoundTrips();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  if (process.env.SHOW_ROUND_TRIPS) console.log(`round trips ${url.replace(server.origin, "")}: ${driverRoundTrips() - before}`);
  return driverRoundTrips() - before;
}

const trpcGet = (procedure: string, input: unknown) => `${server.origin}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

describe("round trips per request on the hot routes", () => {
  it("API-key REST list: the same at every page size, and only its own statements in tenant transactions", async () => {
    const counts = [];
    for (const limit of [1, 10, 50]) counts.push(await roundTrips(`${server.baseUrl}/drift-events?limit=${limit}`, tenant.keys.VIEWER.headers));
    expect(new Set(counts).size).toBe(1);
    // Without the principal cache, the leases and the one-round-trip prelude, the key lookup, the
    // counter upsert and a separate BEGIN came on top of these.
    expect(counts[0]).toBeLessThanOrEqual(4);
  });

  it("API-key REST request for one row", async () => {
    expect(await roundTrips(`${server.baseUrl}/settings`, tenant.keys.VIEWER.headers)).toBeLessThanOrEqual(3);
  });

  it("session tRPC list: the same at every page size, no session or membership lookup", async () => {
    const headers = tenant.members.VIEWER.session.headers;
    const counts = [];
    for (const limit of [1, 10, 50]) counts.push(await roundTrips(trpcGet("driftEvents.list", { limit }), headers));
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(4);
  });

  it("dashboard, unchanged data: the version read alone", async () => {
    expect(await roundTrips(`${server.baseUrl}/dashboard`, tenant.keys.VIEWER.headers)).toBeLessThanOrEqual(3);
    expect(await roundTrips(trpcGet("dashboard.get", {}), tenant.members.VIEWER.session.headers)).toBeLessThanOrEqual(3);
  });

  it("acknowledging an alert: the UPDATE, its audit row and the answer's read; re-acknowledging, no audit row", async () => {
    const rule = await createTestRule(tenant.customer.id);
    const payers = await Promise.all([createTestPayer(tenant.customer.id), createTestPayer(tenant.customer.id)]);
    const drifts = await Promise.all(payers.map((payer) => createTestDriftEvent(tenant.customer.id, { payerId: payer.id })));
    await evaluateAsDetection(
      tenant.customer.id,
      drifts.map((id) => ({ id, kind: "opened" as const })),
    );
    const alerts = await db().alertEvent.findMany({ where: { ruleId: rule.id }, select: { id: true } });
    expect(alerts).toHaveLength(2);
    const headers = tenant.keys.ANALYST.headers;
    const acknowledge = async (id: string) => {
      const before = driverRoundTrips();
      const response = await fetch(`${server.baseUrl}/alerts/${id}/acknowledge`, { method: "POST", headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id, status: "ACKNOWLEDGED" });
      return driverRoundTrips() - before;
    };
    // The first acknowledgement warms the caller (and its write-class rate-limit lease).
    await acknowledge(alerts[0]!.id);
    const changing = await acknowledge(alerts[1]!.id);
    const repeated = await acknowledge(alerts[1]!.id);
    if (process.env.SHOW_ROUND_TRIPS) console.log(`round trips acknowledge: ${changing}, again: ${repeated}`);
    // The transaction: BEGIN with the prelude, UPDATE … RETURNING, the audit row (or, when nothing
    // changed, the status read), COMMIT; then the alert and its relations read for the answer.
    expect(changing).toBeLessThanOrEqual(16);
    expect(repeated).toBeLessThanOrEqual(15);
  });
});
