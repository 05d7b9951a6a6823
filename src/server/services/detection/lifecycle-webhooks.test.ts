import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { dispatchDueDeliveries } from "@/server/services/webhooks/dispatch-deliveries";
import { deriveMessageId } from "@/server/services/webhooks/message-id";
import { createTestDriftEvent, createTestEndpoint, startReceiver, type TReceiver } from "@/test/alerts-kit";
import { createTestCustomer } from "@/test/factories";
import { seedDemo, type TSeedSummary } from "../../../../prisma/seed/seed-demo";
import { createDetectionRun, executeDetectionRun, markDetectionRunFailed } from "./detection-runs";
import { enqueueRunCompletedWebhooks } from "./lifecycle-webhooks";

/**
 * Detection's own webhook events, end to end: real detection runs on generated data write
 * drift.detected / drift.resolved / run.completed to the outbox in the transaction that records
 * the change, for endpoints subscribed to them (no alert rule involved), and each arrives
 * signed (verified with the standardwebhooks library) at a real local receiver after commit.
 */

const AS_OF = "2026-03-02";
const policy = { scheduleMs: [0, 50, 50], timeoutMs: 2000, allowPrivate: true };

interface TBody {
  type: string;
  timestamp: string;
  data: { run?: Record<string, unknown> & { id: string; status: string; summary: Record<string, unknown> }; driftEvent?: { id: string; status: string } };
}

describe("detection lifecycle webhooks", () => {
  let seeded: TSeedSummary;
  let customerId: string;
  let receiver: TReceiver;
  let endpoints: Record<"run" | "detected" | "resolved" | "unsubscribed" | "disabled", { id: string; secret: string }>;
  let otherTenantEndpoint: { id: string; secret: string };

  beforeAll(async () => {
    seeded = await seedDemo(process.env.DATABASE_URL!, {
      tenants: 1,
      claims: 160_000,
      randomSeed: 13,
      asOf: AS_OF,
      plantDrifts: true,
      slugPrefix: `lw${randomUUID().slice(0, 8)}`,
    });
    customerId = seeded.tenants[0]!.id;
    receiver = await startReceiver();
    const make = async (tenant: string, types: string[]) => {
      const endpoint = await createTestEndpoint(tenant, receiver.url, types);
      receiver.secrets.push(endpoint.secret);
      return endpoint;
    };
    endpoints = {
      run: await make(customerId, ["run.completed"]),
      detected: await make(customerId, ["drift.detected"]),
      resolved: await make(customerId, ["drift.resolved"]),
      unsubscribed: await make(customerId, ["alert.created", "alert.resolved", "webhook.test"]),
      disabled: await make(customerId, ["run.completed", "drift.detected", "drift.resolved"]),
    };
    await db().webhookEndpoint.update({ where: { id: endpoints.disabled.id }, data: { enabled: false, disabledReason: "test" } });
    const other = await createTestCustomer();
    otherTenantEndpoint = await make(other.id, ["run.completed", "drift.detected", "drift.resolved"]);
  }, 240_000);

  afterAll(async () => {
    await receiver?.close();
  });

  /** Sends everything due for the tenant, then returns the verified bodies per endpoint. */
  async function deliverAll(): Promise<Map<string, { id: string; body: TBody }[]>> {
    const deadline = Date.now() + 30_000;
    while ((await db().webhookDelivery.count({ where: { customerId, status: "PENDING" } })) > 0) {
      if (Date.now() > deadline) throw new Error("deliveries did not arrive");
      await dispatchDueDeliveries({ customerIds: [customerId], policy });
    }
    const rows = await db().webhookDelivery.findMany({
      where: { endpointId: { in: [...Object.values(endpoints), otherTenantEndpoint].map((e) => e.id) } },
      select: { endpointId: true, messageId: true, status: true },
    });
    expect(rows.every((row) => row.status === "DELIVERED")).toBe(true);
    const byId = new Map(receiver.received.filter((r) => r.verified && r.status === 200).map((r) => [r.id, JSON.parse(r.body) as TBody]));
    const result = new Map<string, { id: string; body: TBody }[]>();
    for (const row of rows) {
      const body = byId.get(row.messageId);
      expect(body, `delivery ${row.messageId} reached the receiver`).toBeDefined();
      result.set(row.endpointId, [...(result.get(row.endpointId) ?? []), { id: row.messageId, body: body! }]);
    }
    return result;
  }

  const failing = async () => {
    throw new Error("alert evaluation exploded");
  };

  it("run.completed once per run (FAILED too), drift.detected per opened event, drift.resolved per resolved event, to subscribers only", async () => {
    // 1. A run that fails after its writes: the events roll back, run.completed FAILED goes out.
    const first = (await createDetectionRun(customerId, "MANUAL")).run;
    expect(await executeDetectionRun(first.id, { asOf: AS_OF, onChanged: failing })).toMatchObject({ status: "FAILED" });
    let got = await deliverAll();
    expect(got.get(endpoints.run.id)).toHaveLength(1);
    const failed = got.get(endpoints.run.id)![0]!;
    expect(failed.id).toBe(deriveMessageId("run.completed", endpoints.run.id, first.id));
    expect(failed.body).toMatchObject({
      type: "run.completed",
      data: { run: { id: first.id, status: "FAILED", error: "alert evaluation exploded", eventsOpened: 0 } },
    });
    expect(got.get(endpoints.detected.id)).toBeUndefined();

    // 2. A good run: one drift.detected per opened event, one run.completed with its counts.
    const second = (await createDetectionRun(customerId, "MANUAL")).run;
    const done = (await executeDetectionRun(second.id, { asOf: AS_OF }))!;
    expect(done).toMatchObject({ status: "SUCCEEDED", eventsResolved: 0 });
    expect(done.eventsOpened).toBeGreaterThan(0);
    got = await deliverAll();
    const runMessages = got.get(endpoints.run.id)!;
    expect(runMessages).toHaveLength(2);
    const succeeded = runMessages.find((m) => m.body.data.run!.id === second.id)!;
    expect(succeeded.body).toMatchObject({
      type: "run.completed",
      data: {
        run: {
          status: "SUCCEEDED",
          eventsOpened: done.eventsOpened,
          eventsUpdated: 0,
          eventsResolved: 0,
          cellsTested: done.cellsTested,
          error: null,
          summary: { status: "OK" },
        },
      },
    });
    const opened = await db().driftEvent.findMany({
      where: { customerId, status: "ACTIVE" },
      select: { id: true, payerId: true, cptGroup: true, driftType: true },
    });
    expect(opened).toHaveLength(done.eventsOpened);
    const detected = got.get(endpoints.detected.id)!;
    expect(detected.every((m) => m.body.type === "drift.detected")).toBe(true);
    expect(detected.map((m) => m.body.data.driftEvent!.id).sort()).toEqual(opened.map((e) => e.id).sort());
    expect(detected.map((m) => m.id).sort()).toEqual(opened.map((e) => deriveMessageId("drift.detected", endpoints.detected.id, e.id)).sort());

    // 3. The same day again: every event is re-detected, nothing new is announced but the run.
    const third = (await createDetectionRun(customerId, "MANUAL")).run;
    expect(await executeDetectionRun(third.id, { asOf: AS_OF })).toMatchObject({ status: "SUCCEEDED", eventsOpened: 0, eventsUpdated: done.eventsOpened });
    got = await deliverAll();
    expect(got.get(endpoints.detected.id)).toHaveLength(opened.length);
    expect(got.get(endpoints.run.id)).toHaveLength(3);

    // 4. An older event in a cell the run judges and no longer finds gets resolved.
    // Every type but PAYMENT_AMOUNT is judged in each tested cell; pick one with no active event.
    const free = opened.flatMap((base) => {
      const taken = new Set(opened.filter((e) => e.payerId === base.payerId && e.cptGroup === base.cptGroup).map((e) => e.driftType));
      return (["DENIAL_RATE", "DECISION_TIME"] as const).filter((type) => !taken.has(type)).map((driftType) => ({ base, driftType }));
    });
    expect(free.length).toBeGreaterThan(0);
    const { base, driftType } = free[0]!;
    const stale = await createTestDriftEvent(customerId, { payerId: base.payerId, cptGroup: base.cptGroup, driftType });
    await db()
      .$executeRaw`UPDATE drift_events SET baseline_start = '2025-10-01', baseline_end = '2025-12-31', current_start = '2026-01-01', current_end = '2026-01-31' WHERE id = ${stale}::uuid`;
    const fourth = (await createDetectionRun(customerId, "SCHEDULED")).run;
    expect(await executeDetectionRun(fourth.id, { asOf: AS_OF })).toMatchObject({ status: "SUCCEEDED", eventsOpened: 0, eventsResolved: 1 });
    got = await deliverAll();
    expect(got.get(endpoints.resolved.id)).toEqual([
      {
        id: deriveMessageId("drift.resolved", endpoints.resolved.id, stale),
        body: expect.objectContaining({ type: "drift.resolved", data: { driftEvent: expect.objectContaining({ id: stale, status: "RESOLVED" }) } }),
      },
    ]);
    expect(got.get(endpoints.detected.id)).toHaveLength(opened.length);

    // Exactly one signed run.completed per run; nothing for endpoints not subscribed.
    const perRun = got
      .get(endpoints.run.id)!
      .map((m) => m.body.data.run!.id)
      .sort();
    expect(perRun).toEqual([first.id, second.id, third.id, fourth.id].sort());
    expect(
      receiver.received
        .filter((r) => r.verified)
        .map((r) => r.id)
        .filter((id, i, all) => all.indexOf(id) !== i),
    ).toEqual([]);
    for (const key of ["unsubscribed", "disabled"] as const) expect(got.get(endpoints[key].id)).toBeUndefined();
    expect(got.get(otherTenantEndpoint.id)).toBeUndefined();
    expect(
      await db().webhookDelivery.count({ where: { endpointId: { in: [endpoints.unsubscribed.id, endpoints.disabled.id, otherTenantEndpoint.id] } } }),
    ).toBe(0);
  }, 240_000);

  it("a finished run's run.completed cannot be written twice, and finishing it again announces nothing", async () => {
    const customer = await createTestCustomer();
    const endpoint = await createTestEndpoint(customer.id, "https://93.184.216.34/hook", ["run.completed"]);
    const { run } = await createDetectionRun(customer.id, "MANUAL");
    await markDetectionRunFailed(run.id, new Error("worker lost"));
    await markDetectionRunFailed(run.id, new Error("again"));
    // A retried transaction derives the same message id: the outbox keeps one row.
    expect(await withTransaction((tx) => enqueueRunCompletedWebhooks(tx, customer.id, run.id))).toBe(0);
    const rows = await db().webhookDelivery.findMany({
      where: { customerId: customer.id },
      select: { endpointId: true, eventType: true, messageId: true, payload: true },
    });
    expect(rows).toEqual([
      {
        endpointId: endpoint.id,
        eventType: "run.completed",
        messageId: deriveMessageId("run.completed", endpoint.id, run.id),
        payload: expect.objectContaining({
          type: "run.completed",
          data: { run: expect.objectContaining({ id: run.id, status: "FAILED", error: "worker lost" }) },
        }),
      },
    ]);
    // A run that never started (windows could not be computed) is announced FAILED as well.
    const next = (await createDetectionRun(customer.id, "CLI")).run;
    expect(await executeDetectionRun(next.id, { asOf: "not-a-date" })).toMatchObject({ status: "FAILED" });
    expect(await db().webhookDelivery.count({ where: { customerId: customer.id, eventType: "run.completed" } })).toBe(2);
  });
});
