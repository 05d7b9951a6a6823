import { describe, expect, it, vi } from "vitest";

// The bulk class is per tenant (20 an hour by default); read once per process, so set it first.
vi.hoisted(() => {
  process.env.RATE_LIMIT_OVERRIDES = JSON.stringify({ bulk: { points: 2, duration: 3600 } });
});

const { callerFor, createTestTenant } = await import("@/test/factories");

describe("bulk acknowledge rate limit", () => {
  it("has its own per-tenant limit: the third bulk call in the window is 429, whoever sends it", async () => {
    const tenant = await createTestTenant();
    const ids = [crypto.randomUUID()];
    const analyst = await callerFor(tenant.members.ANALYST.session.headers);
    const admin = await callerFor(tenant.keys.ADMIN.headers);
    await expect(analyst.alerts.bulkAcknowledge({ ids })).resolves.toEqual({ acknowledged: [], skipped: ids });
    await expect(admin.alerts.bulkAcknowledge({ ids })).resolves.toMatchObject({ acknowledged: [] });
    await expect(analyst.alerts.bulkAcknowledge({ ids })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    // Single acknowledges are ordinary writes, not bulk.
    await expect(analyst.alerts.acknowledge({ id: ids[0]! })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Another tenant has its own budget.
    const other = await createTestTenant();
    await expect((await callerFor(other.members.ANALYST.session.headers)).alerts.bulkAcknowledge({ ids })).resolves.toMatchObject({ acknowledged: [] });
  });
});
