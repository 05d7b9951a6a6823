import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { decryptWebhookSecret } from "@/server/services/webhooks/webhook-secret";
import { callerFor, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { createTestDriftEvent, createTestPayer, evaluateAsDetection } from "@/test/alerts-kit";

/**
 * Alert rules, alerts and webhook endpoints through the real API (tRPC caller and REST socket),
 * with the SSRF guard ON (the test environment does not allow private targets).
 */

let a: TTestTenant;
let b: TTestTenant;
let server: TRestServer;
const PUBLIC_URL = "https://93.184.216.34/driftline";

beforeAll(async () => {
  server = await startRestServer();
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
});

afterAll(async () => {
  await server?.close();
});

const as = (tenant: TTestTenant, role: "VIEWER" | "ANALYST" | "ADMIN") => callerFor(tenant.members[role].session.headers);

async function raiseAlerts(tenant: TTestTenant, count: number, ruleName = `r-${Math.random()}`) {
  const admin = await as(tenant, "ADMIN");
  const rule = await admin.alertRules.create({ name: ruleName });
  const payers = await Promise.all(Array.from({ length: count }, () => createTestPayer(tenant.customer.id)));
  const drifts = await Promise.all(payers.map((p) => createTestDriftEvent(tenant.customer.id, { payerId: p.id })));
  await evaluateAsDetection(
    tenant.customer.id,
    drifts.map((id) => ({ id, kind: "opened" as const })),
  );
  const alerts = await db().alertEvent.findMany({ where: { ruleId: rule.id }, select: { id: true }, orderBy: { id: "asc" } });
  return { rule, alerts: alerts.map((x) => x.id) };
}

describe("alert rules", () => {
  it("CRUD with a unique name per tenant (409), roles and tenant isolation", async () => {
    const admin = await as(a, "ADMIN");
    const payer = await createTestPayer(a.customer.id);
    const created = await admin.alertRules.create({
      name: "UHC denials",
      payerId: payer.id,
      driftTypes: ["DENIAL_RATE"],
      minSeverity: 0.4,
      minRevenueImpact: "1000",
      emailRecipients: ["ops@example.test"],
      cooldownMinutes: 60,
    });
    expect(created).toMatchObject({ name: "UHC denials", payerId: payer.id, minRevenueImpact: "1000.00", enabled: true, endpointIds: [] });
    await expect(admin.alertRules.create({ name: "UHC denials" })).rejects.toMatchObject({ code: "CONFLICT" });
    // Another tenant may use the same name, and cannot see A's rule.
    const bAdmin = await as(b, "ADMIN");
    await expect(bAdmin.alertRules.create({ name: "UHC denials" })).resolves.toMatchObject({ name: "UHC denials" });
    await expect(bAdmin.alertRules.get({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect((await as(a, "ANALYST")).alertRules.create({ name: "nope" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await (await as(a, "VIEWER")).alertRules.list({ pageSize: 10 })).total).toBeGreaterThanOrEqual(1);
    const updated = await admin.alertRules.update({ id: created.id, enabled: false, minSeverity: null });
    expect(updated).toMatchObject({ enabled: false, minSeverity: null });
    await expect(admin.alertRules.delete({ id: created.id })).resolves.toEqual({ id: created.id, deleted: true });
    const audit = await db().auditEvent.findMany({ where: { customerId: a.customer.id, resourceId: created.id }, select: { action: true } });
    expect(audit.map((e) => e.action).sort()).toEqual(["alert_rule.create", "alert_rule.delete", "alert_rule.update"]);
  });

  it("REST: POST /alert-rules twice answers 409 problem+json", async () => {
    const headers = new Headers(a.keys.ADMIN.headers);
    headers.set("content-type", "application/json");
    const body = JSON.stringify({ name: "rest-rule" });
    expect((await fetch(`${server.baseUrl}/alert-rules`, { method: "POST", headers, body })).status).toBe(200);
    const second = await fetch(`${server.baseUrl}/alert-rules`, { method: "POST", headers, body });
    expect(second.status).toBe(409);
    expect(second.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("webhook endpoints", () => {
  it("secret: whsec_ + base64 of 32 bytes, shown only at create and rotate, encrypted at rest", async () => {
    const admin = await as(a, "ADMIN");
    const created = await admin.webhookEndpoints.create({ url: PUBLIC_URL, eventTypes: ["alert.created"] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(created.secret.slice(6), "base64")).toHaveLength(32);
    const row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: created.id }, select: { secretCiphertext: true } });
    expect(row.secretCiphertext).not.toContain(created.secret);
    expect(row.secretCiphertext).not.toContain(created.secret.slice(6, 20));
    expect(decryptWebhookSecret(row.secretCiphertext)).toBe(created.secret);
    const listed = await admin.webhookEndpoints.list({});
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(listed.items[0]).not.toHaveProperty("secret");
    const rotated = await admin.webhookEndpoints.rotateSecret({ id: created.id });
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt!.getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const after = await db().webhookEndpoint.findUniqueOrThrow({
      where: { id: created.id },
      select: { secretCiphertext: true, previousSecretCiphertext: true },
    });
    expect(decryptWebhookSecret(after.previousSecretCiphertext!)).toBe(created.secret);
    expect(decryptWebhookSecret(after.secretCiphertext)).toBe(rotated.secret);
  });

  it("the SSRF guard refuses private targets at save (400 on the url field)", async () => {
    const admin = await as(a, "ADMIN");
    for (const url of [
      "https://127.0.0.1/x",
      "https://10.0.0.1/x",
      "https://169.254.169.254/x",
      "https://[::1]/x",
      "https://localhost/x",
      "http://93.184.216.34/x",
    ]) {
      await expect(admin.webhookEndpoints.create({ url })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    const ok = await admin.webhookEndpoints.create({ url: PUBLIC_URL });
    await expect(admin.webhookEndpoints.update({ id: ok.id, url: "https://192.168.0.10/x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("send test queues a webhook.test delivery, visible in the delivery log; only ADMIN", async () => {
    const admin = await as(a, "ADMIN");
    const endpoint = await admin.webhookEndpoints.create({ url: PUBLIC_URL, eventTypes: ["alert.created"] });
    const delivery = await admin.webhookEndpoints.test({ id: endpoint.id });
    expect(delivery).toMatchObject({ eventType: "webhook.test", status: "PENDING", endpointId: endpoint.id });
    const detail = await admin.webhookDeliveries.get({ id: delivery.id });
    expect(detail).toMatchObject({ payload: { type: "webhook.test" }, attempts: [] });
    const log = await admin.webhookDeliveries.list({ endpointId: endpoint.id });
    expect(log.items.map((d) => d.id)).toEqual([delivery.id]);
    await expect((await as(a, "ANALYST")).webhookDeliveries.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await as(b, "ADMIN")).webhookDeliveries.get({ id: delivery.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("alerts", () => {
  it("lists with both pagination styles; VIEWER reads but cannot act", async () => {
    const { rule } = await raiseAlerts(a, 5);
    const viewer = await as(a, "VIEWER");
    const page = await viewer.alerts.list({ ruleId: rule.id, pageSize: 2, page: 2 });
    expect(page).toMatchObject({ page: 2, pageSize: 2, total: 5, totalPages: 3 });
    const first = await viewer.alerts.list({ ruleId: rule.id, limit: 3 });
    const second = await viewer.alerts.list({ ruleId: rule.id, limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((x) => x.id)).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
    const active = await viewer.alerts.active({ ruleId: rule.id, pageSize: 10 });
    expect(active.total).toBe(5);
    expect(active.items[0]).toMatchObject({ rule: { id: rule.id }, suppressed: false, driftEvent: { driftType: "DENIAL_RATE" } });
    await expect(viewer.alerts.acknowledge({ id: first.items[0]!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.alerts.list({ cursor: "garbage" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("related rows read back exact: the largest amounts and the times of a drift event and feedback inside an alert", async () => {
    const { rule, alerts } = await raiseAlerts(a, 1);
    const id = alerts[0]!;
    const analyst = await as(a, "ANALYST");
    await analyst.alerts.feedback({ id, verdict: "REAL", recoveredAmount: "9999999999.99", recoveredOn: "2026-11-20" });
    const alert = await db().alertEvent.findUniqueOrThrow({ where: { id }, select: { driftEventId: true } });
    const lastDetectedAt = new Date("2026-11-30T23:59:59.987Z");
    // Decimal(14, 2) at its largest, and a fraction a binary float would round.
    await db().driftEvent.update({
      where: { id: alert.driftEventId },
      data: { estimatedRevenueImpact: "999999999999.99", firstDetectedAt: lastDetectedAt, lastDetectedAt, baselineValue: 0.1 + 0.2 },
    });
    // Other tests' rules in this tenant alert on the same drift event: list this rule's alert only.
    const listed = (await analyst.alerts.list({ ruleId: rule.id, driftEventId: alert.driftEventId })).items;
    expect(listed.map((item) => item.id)).toEqual([id]);
    for (const read of [await analyst.alerts.get({ id }), listed[0]!]) {
      expect(read.driftEvent.estimatedRevenueImpact).toBe("999999999999.99");
      expect(read.driftEvent.lastDetectedAt).toEqual(lastDetectedAt);
      expect(read.driftEvent.baselineValue).toBe(0.1 + 0.2);
      expect(read.feedback[0]).toMatchObject({ recoveredAmount: "9999999999.99", recoveredOn: "2026-11-20" });
      expect(read.feedback[0]!.createdAt).toBeInstanceOf(Date);
    }
  });

  it("acknowledge, resolve and feedback (one per user, editable, moves status, audited)", async () => {
    const { alerts } = await raiseAlerts(a, 2);
    const analyst = await as(a, "ANALYST");
    const acked = await analyst.alerts.acknowledge({ id: alerts[0]! });
    expect(acked).toMatchObject({ status: "ACKNOWLEDGED", acknowledgedBy: { id: a.members.ANALYST.id } });
    const fb = await analyst.alerts.feedback({
      id: alerts[1]!,
      verdict: "REAL",
      reasonCodes: ["CONTRACT"],
      recoveredAmount: "120.50",
      recoveredOn: "2026-11-20",
      notes: "appealed",
    });
    expect(fb).toMatchObject({ status: "ACKNOWLEDGED", feedback: [{ verdict: "REAL", recoveredAmount: "120.50", recoveredOn: "2026-11-20" }] });
    const edited = await analyst.alerts.feedback({ id: alerts[1]!, verdict: "NOISE" });
    expect(edited.feedback).toHaveLength(1);
    expect(edited).toMatchObject({ status: "RESOLVED", feedback: [{ verdict: "NOISE", user: { id: a.members.ANALYST.id } }] });
    const adminFb = await (await as(a, "ADMIN")).alerts.feedback({ id: alerts[1]!, verdict: "NEEDS_FOLLOWUP" });
    expect(adminFb.feedback).toHaveLength(2);
    expect(adminFb.status).toBe("RESOLVED");
    const resolved = await analyst.alerts.resolve({ id: alerts[0]! });
    expect(resolved.status).toBe("RESOLVED");
    await expect(analyst.alerts.acknowledge({ id: alerts[0]! })).rejects.toMatchObject({ code: "CONFLICT" });
    const actions = (await db().auditEvent.findMany({ where: { customerId: a.customer.id, resourceId: { in: alerts } }, select: { action: true } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(expect.arrayContaining(["alert.acknowledge", "alert.feedback.create", "alert.feedback.update", "alert.resolve"]));
    await expect((await as(b, "ADMIN")).alerts.feedback({ id: alerts[0]!, verdict: "REAL" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("acknowledge: of concurrent acknowledgements one changes the alert and is audited, all answer it; another tenant's alert is a 404", async () => {
    const { alerts } = await raiseAlerts(a, 1);
    const id = alerts[0]!;
    const callers = await Promise.all([as(a, "ANALYST"), as(a, "ADMIN"), as(a, "ANALYST"), as(a, "ADMIN")]);
    const answers = await Promise.all(callers.map((caller) => caller.alerts.acknowledge({ id })));
    for (const answer of answers) expect(answer).toMatchObject({ id, status: "ACKNOWLEDGED" });
    const audited = await db().auditEvent.count({ where: { customerId: a.customer.id, resourceId: id, action: "alert.acknowledge" } });
    expect(audited).toBe(1);
    const row = await db().alertEvent.findUniqueOrThrow({ where: { id } });
    expect([a.members.ANALYST.id, a.members.ADMIN.id]).toContain(row.acknowledgedById);
    // Acknowledging again changes nothing and writes no second audit row.
    await expect(callers[0]!.alerts.acknowledge({ id })).resolves.toMatchObject({ status: "ACKNOWLEDGED" });
    expect(await db().auditEvent.count({ where: { customerId: a.customer.id, resourceId: id, action: "alert.acknowledge" } })).toBe(1);
    await expect((await as(b, "ADMIN")).alerts.acknowledge({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(callers[0]!.alerts.acknowledge({ id: crypto.randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("bulk acknowledge: bounded batch, skips foreign and closed ids", async () => {
    const { alerts } = await raiseAlerts(a, 3);
    const { alerts: foreign } = await raiseAlerts(b, 1);
    const analyst = await as(a, "ANALYST");
    const result = await analyst.alerts.bulkAcknowledge({ ids: [...alerts, ...foreign] });
    expect(result.acknowledged.sort()).toEqual([...alerts].sort());
    expect(result.skipped).toEqual(foreign);
    expect((await db().alertEvent.findUniqueOrThrow({ where: { id: foreign[0]! } })).status).not.toBe("ACKNOWLEDGED");
    const tooMany = Array.from({ length: 101 }, () => crypto.randomUUID());
    await expect(analyst.alerts.bulkAcknowledge({ ids: tooMany })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
