import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { metrics } from "@/server/lib/metrics";
import { createTestCustomer } from "@/test/factories";
import {
  createTestDriftEvent,
  createTestEndpoint,
  createTestPayer,
  createTestRule,
  evaluateAsDetection,
  startReceiver,
  type TReceiver,
} from "@/test/alerts-kit";
import { dispatchDueDeliveries } from "./dispatch-deliveries";
import type { TDeliveryPolicy } from "./retry-policy";
import { replayWebhookDelivery } from "./manage-webhook-deliveries";
import { rotateWebhookSecret } from "./manage-webhook-endpoints";

/**
 * The webhook sender end to end against a REAL local receiver that verifies every signature with
 * the standardwebhooks library: alert evaluation writes the outbox, the dispatcher claims, sends
 * after commit and records. No HTTP mocking.
 */

const POLICY: TDeliveryPolicy = { scheduleMs: [0, 20, 20, 20], timeoutMs: 1000, allowPrivate: true };
const actor = { userId: null, apiKeyId: null, label: "test", requestId: null, ip: null };
const receivers: TReceiver[] = [];

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function scenario(script: Parameters<typeof startReceiver>[0], policy = POLICY) {
  const customer = await createTestCustomer();
  const receiver = await startReceiver(script);
  receivers.push(receiver);
  const endpoint = await createTestEndpoint(customer.id, receiver.url);
  receiver.secrets.push(endpoint.secret);
  await createTestRule(customer.id, { endpointIds: [endpoint.id] });
  const payer = await createTestPayer(customer.id);
  const driftId = await createTestDriftEvent(customer.id, { payerId: payer.id });
  const evaluation = await evaluateAsDetection(customer.id, [{ id: driftId, kind: "opened" }]);
  expect(evaluation).toMatchObject({ alertsCreated: 1, webhookDeliveries: 1 });
  const delivery = await db().webhookDelivery.findFirstOrThrow({
    where: { customerId: customer.id },
    select: { id: true, messageId: true, alertEventId: true },
  });
  return { customer, receiver, endpoint, delivery, drain: (until: () => Promise<boolean>) => drain(customer.id, until, policy) };
}

async function drain(customerId: string, until: () => Promise<boolean>, policy: TDeliveryPolicy) {
  const deadline = Date.now() + 20_000;
  while (!(await until())) {
    if (Date.now() > deadline) throw new Error("delivery did not settle");
    await dispatchDueDeliveries({ customerIds: [customerId], policy, leaseMarginMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const deliveryOf = (id: string) =>
  db().webhookDelivery.findUniqueOrThrow({
    where: { id },
    select: {
      status: true,
      attemptCount: true,
      attempts: { orderBy: { attemptNumber: "asc" }, select: { attemptNumber: true, statusCode: true, errorKind: true, responseExcerpt: true } },
    },
  });
const settled = (id: string) => async () => (await deliveryOf(id)).status !== "PENDING";

describe("webhook delivery", () => {
  it("503, 503, 200: delivered on attempt 3 with one webhook-id, every request signed", async () => {
    const s = await scenario((n) => ({ status: n < 3 ? 503 : 200 }));
    await s.drain(settled(s.delivery.id));
    const delivery = await deliveryOf(s.delivery.id);
    expect(delivery.status).toBe("DELIVERED");
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([503, 503, 200]);
    expect(delivery.attempts[0]).toMatchObject({ errorKind: "http_status", responseExcerpt: "answer 503" });
    expect(s.receiver.received).toHaveLength(3);
    expect(new Set(s.receiver.received.map((r) => r.id))).toEqual(new Set([s.delivery.messageId]));
    expect(s.receiver.received.every((r) => r.verified && r.idempotencyKey === s.delivery.messageId)).toBe(true);
    const body = JSON.parse(s.receiver.received[2]!.body) as { type: string; timestamp: string; data: { alert: { id: string } } };
    expect(body).toMatchObject({ type: "alert.created", data: { alert: { id: s.delivery.alertEventId } } });
    const alert = await db().alertEvent.findUniqueOrThrow({ where: { id: s.delivery.alertEventId! }, select: { status: true } });
    expect(alert.status).toBe("SENT");
  });

  it("counts every recorded attempt in the attempt metrics, by the delivery's resulting state (DEPLOYMENT.md)", async () => {
    // Counters are per process and this file's tests run one after another, so the difference is this test's.
    const attempts = async (outcome: string) => (await metrics().webhookAttempts.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    const numbers = async () =>
      (await metrics().webhookAttemptNumber.get()).values.filter((v) => v.metricName?.endsWith("_sum")).reduce((sum, v) => sum + v.value, 0);
    const before = { pending: await attempts("PENDING"), delivered: await attempts("DELIVERED"), numbers: await numbers() };
    const s = await scenario((n) => ({ status: n < 2 ? 503 : 200 }));
    await s.drain(settled(s.delivery.id));
    expect(await attempts("PENDING")).toBe(before.pending + 1);
    expect(await attempts("DELIVERED")).toBe(before.delivered + 1);
    // Attempt numbers 1 and 2 were observed.
    expect(await numbers()).toBe(before.numbers + 3);
  });

  it("400: FAILED after one attempt, never retried; the alert is FAILED", async () => {
    const s = await scenario(() => ({ status: 400 }));
    await s.drain(settled(s.delivery.id));
    const delivery = await deliveryOf(s.delivery.id);
    expect(delivery).toMatchObject({ status: "FAILED", attemptCount: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await dispatchDueDeliveries({ customerIds: [s.customer.id], policy: POLICY });
    expect(s.receiver.received).toHaveLength(1);
    expect((await db().alertEvent.findUniqueOrThrow({ where: { id: s.delivery.alertEventId! } })).status).toBe("FAILED");
  });

  it("410: the endpoint is disabled", async () => {
    const s = await scenario(() => ({ status: 410 }));
    await s.drain(settled(s.delivery.id));
    expect((await deliveryOf(s.delivery.id)).status).toBe("FAILED");
    const endpoint = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: s.endpoint.id }, select: { enabled: true, disabledReason: true } });
    expect(endpoint.enabled).toBe(false);
    expect(endpoint.disabledReason).toMatch(/410/);
  });

  it("always 500: DEAD after the maximum attempts, then an admin replay delivers with the same webhook-id", async () => {
    let healthy = false;
    const s = await scenario(() => ({ status: healthy ? 200 : 500 }));
    await s.drain(settled(s.delivery.id));
    const dead = await deliveryOf(s.delivery.id);
    expect(dead).toMatchObject({ status: "DEAD", attemptCount: POLICY.scheduleMs.length });
    expect(s.receiver.received).toHaveLength(POLICY.scheduleMs.length);
    healthy = true;
    await replayWebhookDelivery(s.customer.id, actor, s.delivery.id);
    await s.drain(settled(s.delivery.id));
    const replayed = await deliveryOf(s.delivery.id);
    expect(replayed.status).toBe("DELIVERED");
    expect(replayed.attempts.map((a) => a.attemptNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(s.receiver.received.map((r) => r.id))).toEqual(new Set([s.delivery.messageId]));
    await expect(replayWebhookDelivery(s.customer.id, actor, s.delivery.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("slower than the timeout: the attempt is a timeout and is retried", async () => {
    const policy = { ...POLICY, timeoutMs: 300 };
    const s = await scenario((n) => ({ status: 200, delayMs: n === 1 ? 1500 : 0 }), policy);
    await s.drain(settled(s.delivery.id));
    const delivery = await deliveryOf(s.delivery.id);
    expect(delivery.status).toBe("DELIVERED");
    expect(delivery.attempts.map((a) => a.errorKind)).toEqual(["timeout", null]);
  });

  it("429 with Retry-After: the next attempt waits at least that long", async () => {
    const s = await scenario((n) => (n === 1 ? { status: 429, headers: { "retry-after": "2" } } : { status: 200 }));
    await dispatchDueDeliveries({ customerIds: [s.customer.id], policy: POLICY });
    const row = await db().webhookDelivery.findUniqueOrThrow({
      where: { id: s.delivery.id },
      select: { status: true, nextAttemptAt: true, lastAttemptAt: true },
    });
    expect(row.status).toBe("PENDING");
    expect(row.nextAttemptAt!.getTime() - Date.now()).toBeGreaterThan(1500);
  });

  it("after a rotation both secrets sign during the grace period", async () => {
    const customer = await createTestCustomer();
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await createTestEndpoint(customer.id, receiver.url, ["alert.created"]);
    const rotated = await rotateWebhookSecret(customer.id, actor, { id: endpoint.id, graceHours: 24 });
    await createTestRule(customer.id, { endpointIds: [endpoint.id] });
    const payer = await createTestPayer(customer.id);
    await evaluateAsDetection(customer.id, [{ id: await createTestDriftEvent(customer.id, { payerId: payer.id }), kind: "opened" }]);
    receiver.secrets.push(endpoint.secret); // only the OLD secret
    await drain(customer.id, async () => receiver.received.length > 0, POLICY);
    expect(receiver.received[0]!.verified).toBe(true);
    expect(receiver.received[0]!.signature.split(" ")).toHaveLength(2);
    const { Webhook } = await import("standardwebhooks");
    const r = receiver.received[0]!;
    expect(() =>
      new Webhook(rotated.secret).verify(r.body, { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature }),
    ).not.toThrow();
  });
});
