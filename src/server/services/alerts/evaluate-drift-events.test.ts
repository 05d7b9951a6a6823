import { describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { createTestCustomer, createTestUser } from "@/test/factories";
import { createTestDriftEvent, createTestEndpoint, createTestPayer, createTestRule, evaluateAsDetection, resolveTestDriftEvent } from "@/test/alerts-kit";
import { evaluateDriftEvents } from "./evaluate-drift-events";

/** Alert evaluation inside the detection transaction, against real PostgreSQL. */

async function tenantWithEndpoint() {
  const customer = await createTestCustomer();
  const payer = await createTestPayer(customer.id);
  const endpoint = await createTestEndpoint(customer.id, "https://93.184.216.34/hook", ["alert.created", "alert.resolved", "drift.resolved", "drift.detected"]);
  return { customerId: customer.id, payer, endpoint };
}

const alertsOf = (customerId: string) =>
  db().alertEvent.findMany({
    where: { customerId },
    select: { id: true, ruleId: true, driftEventId: true, status: true, suppressed: true, suppressionReason: true },
    orderBy: { createdAt: "asc" },
  });

describe("evaluateDriftEvents", () => {
  it("applies scope and conditions and writes the outbox in the same transaction", async () => {
    const t = await tenantWithEndpoint();
    const other = await createTestPayer(t.customerId);
    const matching = await createTestRule(t.customerId, { endpointIds: [t.endpoint.id], payerId: t.payer.id, minSeverity: 0.5 });
    const tooStrict = await createTestRule(t.customerId, { minSeverity: 0.9 });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "lab only", cptGroup: "PATHOLOGY_LAB" }, select: { id: true } });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "time only", driftTypes: ["DECISION_TIME"] }, select: { id: true } });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "big money", minRevenueImpact: "50000" }, select: { id: true } });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "strict q", maxQValue: 0.0001 }, select: { id: true } });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "big delta", minAbsDelta: 0.5 }, select: { id: true } });
    await db().alertRule.create({ data: { customerId: t.customerId, name: "disabled", enabled: false }, select: { id: true } });
    const drift = await createTestDriftEvent(t.customerId, { payerId: t.payer.id, severity: 0.7 });
    await createTestDriftEvent(t.customerId, { payerId: other.id, severity: 0.7 });
    const result = await evaluateAsDetection(t.customerId, [{ id: drift, kind: "opened" }]);
    expect(result).toMatchObject({ alertsCreated: 1, alertsSuppressed: 0, webhookDeliveries: 1 });
    const alerts = await alertsOf(t.customerId);
    expect(alerts).toEqual([expect.objectContaining({ ruleId: matching.id, driftEventId: drift, status: "PENDING", suppressed: false })]);
    expect(tooStrict.id).not.toBe(matching.id);
    const deliveries = await db().webhookDelivery.findMany({
      where: { customerId: t.customerId },
      select: { eventType: true, alertEventId: true, messageId: true },
    });
    // drift.detected is detection's own event (detection/lifecycle-webhooks.ts), not the rule's.
    expect(deliveries.map((d) => d.eventType).sort()).toEqual(["alert.created"]);
    // Re-detection of the same event does not raise it again.
    expect(await evaluateAsDetection(t.customerId, [{ id: drift, kind: "UPDATED" }])).toMatchObject({ alertsCreated: 0, webhookDeliveries: 0 });
  });

  it("an update that now matches a rule raises the alert then", async () => {
    const t = await tenantWithEndpoint();
    await createTestRule(t.customerId, { minSeverity: 0.8 });
    const drift = await createTestDriftEvent(t.customerId, { payerId: t.payer.id, severity: 0.5 });
    expect((await evaluateAsDetection(t.customerId, [{ id: drift, kind: "opened" }])).alertsCreated).toBe(0);
    await db().driftEvent.update({ where: { id: drift }, data: { severity: 0.9 } });
    expect((await evaluateAsDetection(t.customerId, [{ id: drift, kind: "updated" }])).alertsCreated).toBe(1);
  });

  it("cooldown: a re-opened drift of the same key within the cooldown is kept, suppressed, and sends nothing", async () => {
    const t = await tenantWithEndpoint();
    await createTestRule(t.customerId, { endpointIds: [t.endpoint.id], cooldownMinutes: 240 });
    const first = await createTestDriftEvent(t.customerId, { payerId: t.payer.id });
    await evaluateAsDetection(t.customerId, [{ id: first, kind: "opened" }]);
    await resolveTestDriftEvent(first);
    const resolved = await evaluateAsDetection(t.customerId, [{ id: first, kind: "resolved" }]);
    expect(resolved).toMatchObject({ alertsResolved: 1, webhookDeliveries: 1 }); // alert.resolved (drift.resolved: detection's)
    const second = await createTestDriftEvent(t.customerId, { payerId: t.payer.id });
    const result = await evaluateAsDetection(t.customerId, [{ id: second, kind: "opened" }]);
    expect(result).toMatchObject({ alertsCreated: 0, alertsSuppressed: 1, webhookDeliveries: 0 });
    const alerts = await alertsOf(t.customerId);
    expect(alerts[0]).toMatchObject({ status: "RESOLVED" });
    expect(alerts[1]).toMatchObject({ suppressed: true, suppressionReason: expect.stringMatching(/^cooldown/) });
  });

  it("noise: two NOISE verdicts in 30 days for the key suppress the next alert", async () => {
    const t = await tenantWithEndpoint();
    const rule = await createTestRule(t.customerId, { endpointIds: [t.endpoint.id], cooldownMinutes: 0 });
    const [u1, u2] = [await createTestUser({ customerId: t.customerId, role: "ANALYST" }), await createTestUser({ customerId: t.customerId, role: "ANALYST" })];
    const first = await createTestDriftEvent(t.customerId, { payerId: t.payer.id });
    await evaluateAsDetection(t.customerId, [{ id: first, kind: "opened" }]);
    const alert = (await alertsOf(t.customerId))[0]!;
    await db().alertFeedback.createMany({
      data: [u1!, u2!].map((u) => ({ customerId: t.customerId, alertEventId: alert.id, userId: u.id, verdict: "NOISE" as const })),
    });
    await resolveTestDriftEvent(first);
    await evaluateAsDetection(t.customerId, [{ id: first, kind: "resolved" }]);
    const second = await createTestDriftEvent(t.customerId, { payerId: t.payer.id });
    expect(await evaluateAsDetection(t.customerId, [{ id: second, kind: "opened" }])).toMatchObject({ alertsSuppressed: 1 });
    const latest = (await alertsOf(t.customerId)).at(-1)!;
    expect(latest).toMatchObject({ ruleId: rule.id, suppressed: true, suppressionReason: expect.stringMatching(/^noise/) });
  });

  it("e-mail recipients get one outbox row per alert", async () => {
    const t = await tenantWithEndpoint();
    await createTestRule(t.customerId, { emailRecipients: ["billing@example.test"] });
    const drift = await createTestDriftEvent(t.customerId, { payerId: t.payer.id });
    expect(await evaluateAsDetection(t.customerId, [{ id: drift, kind: "opened" }])).toMatchObject({ emails: 1 });
    expect(await db().alertEmailDelivery.count({ where: { customerId: t.customerId } })).toBe(1);
  });

  it("concurrency: parallel evaluations of the same drift events give one alert per (rule, event) and one delivery per (endpoint, alert)", async () => {
    const t = await tenantWithEndpoint();
    const endpoint2 = await createTestEndpoint(t.customerId, "https://93.184.216.34/other", ["alert.created"]);
    await createTestRule(t.customerId, { endpointIds: [t.endpoint.id, endpoint2.id] });
    await createTestRule(t.customerId, { endpointIds: [t.endpoint.id] });
    const payers = await Promise.all(Array.from({ length: 5 }, () => createTestPayer(t.customerId)));
    const drifts = await Promise.all(payers.map((p) => createTestDriftEvent(t.customerId, { payerId: p.id })));
    const changes = drifts.map((id) => ({ id, kind: "opened" as const }));
    // As detection does (Customer lock first) ...
    await Promise.all(Array.from({ length: 6 }, () => evaluateAsDetection(t.customerId, changes)));
    // ... and with no Customer lock at all: the rule locks and unique keys still hold.
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withTransaction((tx) =>
          evaluateDriftEvents(
            tx,
            changes.map((c) => ({ ...c, customerId: t.customerId })),
          ),
        ),
      ),
    );
    expect(await db().alertEvent.count({ where: { customerId: t.customerId } })).toBe(2 * drifts.length);
    const perAlert = await db().webhookDelivery.groupBy({
      by: ["endpointId", "alertEventId"],
      where: { customerId: t.customerId, eventType: "alert.created" },
      _count: true,
    });
    expect(perAlert.every((g) => g._count === 1)).toBe(true);
    expect(perAlert).toHaveLength(3 * drifts.length);
    // drift.* are detection's events, written once per subscribed endpoint whatever the rules.
    expect(await db().webhookDelivery.count({ where: { customerId: t.customerId, eventType: { startsWith: "drift." } } })).toBe(0);
  });
});
