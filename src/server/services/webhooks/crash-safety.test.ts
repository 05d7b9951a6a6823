import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestCustomer } from "@/test/factories";
import { createTestEndpoint, createTestRule, evaluateAsDetection, startReceiver, type TReceiver } from "@/test/alerts-kit";

/**
 * Crash safety: the worker runs as a separate process (tsx), is SIGKILLed in the middle of a
 * batch of 1,000 deliveries, and restarted. Claimed-but-unrecorded rows come back when their
 * lease runs out. Every alert arrives; after dedupe on webhook-id the receiver has each exactly
 * once (duplicates are allowed — at-least-once — and reported).
 */

const COUNT = 1000;
const children: ChildProcess[] = [];
let receiver: TReceiver | undefined;

function startWorker(customerId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/test/run-webhook-worker.ts"], {
    env: {
      ...process.env,
      WORKER_CUSTOMER_IDS: customerId,
      WORKER_TIMEOUT_MS: "2000",
      WORKER_LEASE_MARGIN_MS: "500",
      WORKER_BATCH_SIZE: "50",
      WORKER_POLL_MS: "50",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await receiver?.close();
});

describe("crash safety", () => {
  it(`SIGKILL mid-batch of ${COUNT} deliveries, restart: every alert arrives, exactly once after dedupe`, async () => {
    const customer = await createTestCustomer();
    // Every request takes a little while, so the kill lands with requests in flight.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    const endpoint = await createTestEndpoint(customer.id, receiver.url, ["alert.created"]);
    receiver.secrets.push(endpoint.secret);
    await createTestRule(customer.id, { endpointIds: [endpoint.id] });
    const drifts = await db().$queryRaw<{ id: string }[]>`
      WITH p AS (INSERT INTO payers (customer_id, name) SELECT ${customer.id}::uuid, 'Crash payer ' || g FROM generate_series(1, ${COUNT}) g RETURNING id)
      INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, baseline_value, current_value, delta, delta_ci_low, delta_ci_high,
        p_value, q_value, severity, direction, baseline_sample_size, current_sample_size, baseline_start, baseline_end, current_start, current_end)
      SELECT ${customer.id}::uuid, p.id, 'EM', 'DENIAL_RATE', 0.1, 0.2, 0.1, 0.05, 0.15, 0.001, 0.002, 0.6, 'UP', 400, 100,
        '2026-08-01', '2026-10-29', '2026-10-30', '2026-11-12' FROM p
      RETURNING id::text AS id`;
    const evaluation = await evaluateAsDetection(
      customer.id,
      drifts.map((d) => ({ id: d.id, kind: "opened" as const })),
    );
    expect(evaluation).toMatchObject({ alertsCreated: COUNT, webhookDeliveries: COUNT });

    const first = await startWorker(customer.id);
    await waitFor(() => receiver!.received.length >= COUNT / 4, 60_000);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const atKill = receiver.received.length;
    const delivered = await db().webhookDelivery.count({ where: { customerId: customer.id, status: "DELIVERED" } });
    expect(atKill).toBeLessThan(COUNT);
    expect(delivered).toBeLessThan(COUNT);

    const second = await startWorker(customer.id);
    await waitFor(async () => (await db().webhookDelivery.count({ where: { customerId: customer.id, status: "DELIVERED" } })) === COUNT, 90_000);
    second.kill("SIGTERM");
    await new Promise((resolve) => second.once("exit", resolve));

    const messageIds = (await db().webhookDelivery.findMany({ where: { customerId: customer.id }, select: { messageId: true } })).map((d) => d.messageId);
    const unique = new Set(receiver.received.map((r) => r.id));
    expect(unique.size).toBe(COUNT);
    expect([...unique].sort()).toEqual([...messageIds].sort());
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const alerts = await db().alertEvent.groupBy({ by: ["status"], where: { customerId: customer.id }, _count: true });
    expect(alerts).toEqual([{ status: "SENT", _count: COUNT }]);
    console.log(
      `crash safety: ${atKill} received before SIGKILL (${delivered} recorded), ${receiver.received.length - COUNT} duplicate deliveries after restart, ${unique.size} unique`,
    );
  }, 180_000);
});
