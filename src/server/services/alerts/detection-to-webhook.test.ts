import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { runDetection } from "@/server/services/detection/run-detection";
import { dispatchDueDeliveries } from "@/server/services/webhooks/dispatch-deliveries";
import { createTestEndpoint, createTestRule, startReceiver, type TReceiver } from "@/test/alerts-kit";
import { seedDemo } from "../../../../prisma/seed/seed-demo";

/**
 * End to end: a detection run on generated data with planted drifts raises alerts through the
 * hook inside its transaction, and each alert arrives signed (verified with the standardwebhooks
 * library) at a real local receiver after commit.
 */

const AS_OF = "2026-03-02";
let receiver: TReceiver | undefined;

afterAll(async () => {
  await receiver?.close();
});

describe("detection run -> alert -> signed webhook", () => {
  it("every alert of a run arrives signed at the receiver", async () => {
    const seeded = await seedDemo(process.env.DATABASE_URL!, {
      tenants: 1,
      claims: 160_000,
      randomSeed: 11,
      asOf: AS_OF,
      plantDrifts: true,
      slugPrefix: `e2e${randomUUID().slice(0, 8)}`,
    });
    const customerId = seeded.tenants[0]!.id;
    receiver = await startReceiver();
    const endpoint = await createTestEndpoint(customerId, receiver.url, ["alert.created"]);
    receiver.secrets.push(endpoint.secret);
    await createTestRule(customerId, { endpointIds: [endpoint.id], name: "everything" });

    const outcome = await runDetection(customerId, { asOf: AS_OF });
    expect(outcome.eventsOpened).toBeGreaterThan(0);
    const alerts = await db().alertEvent.findMany({ where: { customerId }, select: { id: true, driftEventId: true } });
    expect(alerts).toHaveLength(outcome.eventsOpened);

    const policy = { scheduleMs: [0, 50, 50], timeoutMs: 2000, allowPrivate: true };
    const deadline = Date.now() + 30_000;
    while ((await db().webhookDelivery.count({ where: { customerId, status: "DELIVERED" } })) < alerts.length) {
      if (Date.now() > deadline) throw new Error("deliveries did not arrive");
      await dispatchDueDeliveries({ customerIds: [customerId], policy });
    }
    const bodies = receiver.received
      .filter((r) => r.verified)
      .map((r) => JSON.parse(r.body) as { type: string; data: { alert: { id: string }; driftEvent: { id: string } } });
    expect(new Set(bodies.map((b) => b.data.alert.id))).toEqual(new Set(alerts.map((a) => a.id)));
    expect(bodies.every((b) => b.type === "alert.created")).toBe(true);
    const planted = seeded.plantedDrifts[0]!;
    expect(bodies.some((b) => (b.data.driftEvent as unknown as { payer: { name: string } }).payer.name === planted.payerName)).toBe(true);
  }, 240_000);
});
