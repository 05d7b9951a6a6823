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

/**
 * `driftline_webhook_delivery_attempts_total` and `…_attempt_number` (DEPLOYMENT.md) move with
 * every recorded attempt: a real receiver answers 503 then 200, and the process's own registry
 * (what /api/metrics and the worker's /metrics serve) counts one PENDING and one DELIVERED attempt.
 */
const POLICY: TDeliveryPolicy = { scheduleMs: [0, 20, 20], timeoutMs: 1000, allowPrivate: true };
let receiver: TReceiver | undefined;

afterAll(async () => {
  await receiver?.close();
});

async function counted(): Promise<Record<string, number>> {
  const values = (await metrics().webhookAttempts.get()).values;
  return Object.fromEntries(values.map((value) => [String(value.labels.outcome), value.value]));
}

describe("webhook delivery metrics", () => {
  it("each recorded attempt counts once, by the delivery's resulting state, with its attempt number", async () => {
    const customer = await createTestCustomer();
    receiver = await startReceiver((n) => ({ status: n < 2 ? 503 : 200 }));
    const endpoint = await createTestEndpoint(customer.id, receiver.url);
    receiver.secrets.push(endpoint.secret);
    await createTestRule(customer.id, { endpointIds: [endpoint.id] });
    const payer = await createTestPayer(customer.id);
    const driftId = await createTestDriftEvent(customer.id, { payerId: payer.id });
    await evaluateAsDetection(customer.id, [{ id: driftId, kind: "opened" }]);
    const before = await counted();

    const deadline = Date.now() + 20_000;
    const status = async () => (await db().webhookDelivery.findFirstOrThrow({ where: { customerId: customer.id }, select: { status: true } })).status;
    while ((await status()) === "PENDING") {
      if (Date.now() > deadline) throw new Error("delivery did not settle");
      await dispatchDueDeliveries({ customerIds: [customer.id], policy: POLICY, leaseMarginMs: 200 });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const after = await counted();
    expect((after.PENDING ?? 0) - (before.PENDING ?? 0)).toBe(1);
    expect((after.DELIVERED ?? 0) - (before.DELIVERED ?? 0)).toBe(1);
    const text = await metrics().registry.metrics();
    expect(text).toMatch(/driftline_webhook_delivery_attempt_number_sum\{outcome="DELIVERED"\} [1-9]/);
  });
});
