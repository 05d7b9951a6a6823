/**
 * Webhook delivery benchmark (not a test): `npm run bench:webhooks [-- --count N] [--workers W]`.
 *
 * In a throw-away embedded PostgreSQL (or DATABASE_URL's server), one tenant gets N drift events
 * (default 10,000) and a rule with one webhook endpoint: a local node:http receiver on 127.0.0.1
 * that answers 200 at once. W worker processes (default 2; src/test/run-webhook-worker.ts, the
 * production dispatcher loop) deliver. Two phases:
 *   burst  — all N alerts committed in one detection-style transaction: deliveries/s from commit
 *            to the last DELIVERED, and commit -> first attempt percentiles;
 *   steady — alerts committed in small batches at a rate below capacity: commit -> first attempt
 *            percentiles (what a single alert waits).
 * The first attempt's time is the worker's clock when it started the HTTP request (the attempt
 * row), the commit time the bench's clock right after COMMIT — one machine, one clock.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { db } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import { withTransaction } from "@/server/db/transaction";
import { evaluateDriftEvents } from "@/server/services/alerts/evaluate-drift-events";
import { encryptWebhookSecret, generateWebhookSecret } from "@/server/services/webhooks/webhook-secret";
import { withThrowawayDatabase } from "./throwaway-database";

const log = (message: string) => console.error(message);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createDriftEvents(customerId: string, count: number, prefix: string): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH p AS (INSERT INTO payers (customer_id, name) SELECT ${customerId}::uuid, ${prefix} || g FROM generate_series(1, ${count}) g RETURNING id)
    INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, baseline_value, current_value, delta, delta_ci_low, delta_ci_high,
      p_value, q_value, severity, direction, baseline_sample_size, current_sample_size, baseline_start, baseline_end, current_start, current_end)
    SELECT ${customerId}::uuid, p.id, 'EM', 'DENIAL_RATE', 0.1, 0.2, 0.1, 0.05, 0.15, 0.001, 0.002, 0.6, 'UP', 400, 100,
      '2026-08-01', '2026-10-29', '2026-10-30', '2026-11-12' FROM p
    RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}

/** Commits alerts for the drift events as detection would; returns the commit time. */
async function commitAlerts(customerId: string, driftIds: string[]): Promise<number> {
  await withTransaction(
    async (tx) => {
      await lockRows(tx, "customers", [customerId]);
      await lockRows(tx, "drift_events", driftIds);
      await evaluateDriftEvents(
        tx,
        driftIds.map((id) => ({ id, customerId, kind: "opened" as const })),
      );
    },
    { timeoutMs: 300_000 },
  );
  return Date.now();
}

async function firstAttemptLatencies(commitTimes: Map<string, number>): Promise<number[]> {
  const rows = await db().$queryRaw<{ drift_event_id: string; started_at: Date }[]>`
    SELECT e.drift_event_id::text AS drift_event_id, a.started_at FROM webhook_delivery_attempts a
    JOIN webhook_deliveries w ON w.id = a.delivery_id JOIN alert_events e ON e.id = w.alert_event_id
    WHERE a.attempt_number = 1 AND e.drift_event_id = ANY(${[...commitTimes.keys()]}::uuid[])`;
  return rows.map((r) => r.started_at.getTime() - commitTimes.get(r.drift_event_id)!);
}

async function waitDelivered(customerId: string, expected: number): Promise<void> {
  for (;;) {
    const [row] = await db().$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM webhook_deliveries WHERE customer_id = ${customerId}::uuid AND status = 'DELIVERED'`;
    if ((row?.n ?? 0) >= expected) return;
    await sleep(100);
  }
}

function startWorkers(count: number, customerId: string, pollMs: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/test/run-webhook-worker.ts"], {
        env: {
          ...process.env,
          WORKER_CUSTOMER_IDS: customerId,
          WORKER_BATCH_SIZE: "100",
          WORKER_POLL_MS: String(pollMs),
          WORKER_TIMEOUT_MS: "15000",
          WORKER_SCHEDULE: "0s,5s,5m,30m,2h",
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      return new Promise<ChildProcess>((resolve) => child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child)));
    }),
  );
}

async function main() {
  const { values } = parseArgs({ options: { count: { type: "string" }, workers: { type: "string" }, poll: { type: "string" } } });
  const count = Number(values.count ?? 10_000);
  const workers = Number(values.workers ?? 2);
  const pollMs = Number(values.poll ?? 500);
  await withThrowawayDatabase(async () => {
    console.log(JSON.stringify(await benchWebhooks(count, workers, pollMs), null, 2));
  });
}

/** The measurement, against the migrated database in DATABASE_URL (also called by load/bench.ts). */
export async function benchWebhooks(count: number, workers: number, pollMs = 500) {
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received += 1;
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  let children: ChildProcess[] = [];
  try {
    const customer = await db().customer.create({
      data: { slug: `bench-webhooks-${Date.now()}`, name: "Webhook bench", settings: { create: {} } },
      select: { id: true },
    });
    const endpoint = await db().webhookEndpoint.create({
      data: { customerId: customer.id, url, eventTypes: ["alert.created"], secretCiphertext: encryptWebhookSecret(generateWebhookSecret()) },
      select: { id: true },
    });
    await db().alertRule.create({ data: { customerId: customer.id, name: "bench", endpointLinks: { create: { endpointId: endpoint.id } } } });
    const burstIds = await createDriftEvents(customer.id, count, "Burst payer ");
    const steadyCount = Math.min(2000, count);
    const steadyIds = await createDriftEvents(customer.id, steadyCount, "Steady payer ");
    children = await startWorkers(workers, customer.id, pollMs);
    log(`bench: ${workers} workers up (poll ${pollMs} ms, batch 100); committing ${count} alerts in one transaction…`);

    const burstCommit = await commitAlerts(customer.id, burstIds);
    await waitDelivered(customer.id, count);
    const [last] = await db().$queryRaw<{ t: Date }[]>`SELECT max(delivered_at) AS t FROM webhook_deliveries WHERE customer_id = ${customer.id}::uuid`;
    const burstSeconds = (last!.t.getTime() - burstCommit) / 1000;
    const burstLatency = await firstAttemptLatencies(new Map(burstIds.map((id) => [id, burstCommit])));

    log(`bench: steady phase, ${steadyCount} alerts in batches of 10 every 100 ms…`);
    const steadyTimes = new Map<string, number>();
    for (let i = 0; i < steadyIds.length; i += 10) {
      const batch = steadyIds.slice(i, i + 10);
      const committed = await commitAlerts(customer.id, batch);
      for (const id of batch) steadyTimes.set(id, committed);
      await sleep(100);
    }
    await waitDelivered(customer.id, count + steadyCount);
    const steadyLatency = await firstAttemptLatencies(steadyTimes);
    const summary = {
      deliveries: count,
      workers,
      pollMs,
      burst: {
        seconds: Number(burstSeconds.toFixed(2)),
        deliveriesPerSecond: Math.round(count / burstSeconds),
        commitToFirstAttemptMs: { p50: percentile(burstLatency, 50), p95: percentile(burstLatency, 95), max: Math.max(...burstLatency) },
      },
      steady: {
        alerts: steadyCount,
        ratePerSecond: 100,
        commitToFirstAttemptMs: { p50: percentile(steadyLatency, 50), p95: percentile(steadyLatency, 95), max: Math.max(...steadyLatency) },
      },
      receiverRequests: received,
    };
    return summary;
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await sleep(500);
    receiver.closeAllConnections();
    receiver.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
