import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { db } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import { withTransaction } from "@/server/db/transaction";
import { evaluateDriftEvents, type TDriftEventChangeInput } from "@/server/services/alerts/evaluate-drift-events";
import { encryptWebhookSecret, generateWebhookSecret } from "@/server/services/webhooks/webhook-secret";

/**
 * Test data and a REAL webhook receiver for the alerts and webhooks tests: rows are written
 * directly (drift events as detection would leave them), and the receiver is a node:http server
 * on 127.0.0.1 that verifies every request's signature with the `standardwebhooks` library.
 */

export async function createTestPayer(customerId: string) {
  return db().payer.create({ data: { customerId, name: `Payer ${randomUUID().slice(0, 8)}` }, select: { id: true, name: true } });
}

export interface TDriftSpec {
  payerId: string;
  cptGroup?: string;
  driftType?: "DENIAL_RATE" | "PAYMENT_AMOUNT" | "DECISION_TIME" | "DENIAL_REASON" | "UNDERPAYMENT";
  severity?: number;
  delta?: number;
  qValue?: number;
  revenue?: string;
}

export async function createTestDriftEvent(customerId: string, spec: TDriftSpec): Promise<string> {
  const delta = spec.delta ?? 0.12;
  const [row] = await db().$queryRaw<{ id: string }[]>`
    INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, baseline_value, current_value, delta, delta_ci_low,
      delta_ci_high, p_value, q_value, severity, direction, estimated_revenue_impact, baseline_sample_size, current_sample_size,
      baseline_start, baseline_end, current_start, current_end)
    VALUES (${customerId}::uuid, ${spec.payerId}::uuid, ${spec.cptGroup ?? "EM"}, ${spec.driftType ?? "DENIAL_RATE"}::drift_type, 0.1, ${0.1 + delta},
      ${delta}, ${delta - 0.02}, ${delta + 0.02}, 0.0001, ${spec.qValue ?? 0.001}, ${spec.severity ?? 0.7}, 'UP', ${spec.revenue ?? "12000.00"}::numeric,
      400, 120, '2026-08-01', '2026-10-29', '2026-10-30', '2026-11-12')
    RETURNING id::text AS id`;
  return row!.id;
}

export async function resolveTestDriftEvent(id: string): Promise<void> {
  await db().$executeRaw`UPDATE drift_events SET status = 'RESOLVED', resolved_at = now() WHERE id = ${id}::uuid`;
}

export async function createTestRule(
  customerId: string,
  options: { endpointIds?: string[]; emailRecipients?: string[]; cooldownMinutes?: number; minSeverity?: number; payerId?: string; name?: string } = {},
) {
  return db().alertRule.create({
    data: {
      customerId,
      name: options.name ?? `rule-${randomUUID().slice(0, 8)}`,
      payerId: options.payerId,
      minSeverity: options.minSeverity,
      cooldownMinutes: options.cooldownMinutes ?? 240,
      emailRecipients: options.emailRecipients ?? [],
      endpointLinks: { create: (options.endpointIds ?? []).map((endpointId) => ({ endpointId })) },
    },
    select: { id: true },
  });
}

/** An endpoint row with a known secret (the API path runs the SSRF guard; see the API tests). */
export async function createTestEndpoint(customerId: string, url: string, eventTypes = ["alert.created", "alert.resolved", "drift.resolved"]) {
  const secret = generateWebhookSecret();
  const row = await db().webhookEndpoint.create({
    data: { customerId, url, eventTypes, secretCiphertext: encryptWebhookSecret(secret) },
    select: { id: true },
  });
  return { id: row.id, secret };
}

/** What detection does: lock Customer, then the drift events, then call the hook — in one transaction. */
export function evaluateAsDetection(customerId: string, changes: Omit<TDriftEventChangeInput, "customerId">[]) {
  return withTransaction(async (tx) => {
    await lockRows(tx, "customers", [customerId]);
    await lockRows(
      tx,
      "drift_events",
      changes.map((c) => c.id),
    );
    return evaluateDriftEvents(
      tx,
      changes.map((c) => ({ ...c, customerId })),
    );
  });
}

export interface TReceived {
  id: string;
  timestamp: string;
  signature: string;
  idempotencyKey: string | undefined;
  body: string;
  verified: boolean;
  status: number;
}

export interface TReceiver {
  url: string;
  received: TReceived[];
  /** Secrets the receiver accepts (any one matching signature verifies). */
  secrets: string[];
  close(): Promise<void>;
}

/**
 * A receiver whose answers are scripted per request: `script(n, id)` (n counts requests for that
 * webhook-id from 1) returns the status and an optional delay and headers.
 */
export async function startReceiver(
  script: (n: number, id: string) => { status: number; delayMs?: number; headers?: Record<string, string> } = () => ({ status: 200 }),
  secrets: string[] = [],
): Promise<TReceiver> {
  const received: TReceived[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = {
        "webhook-id": String(req.headers["webhook-id"] ?? ""),
        "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
        "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
      };
      const verified = receiver.secrets.some((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const n = (counts.get(headers["webhook-id"]) ?? 0) + 1;
      counts.set(headers["webhook-id"], n);
      const answer = verified ? script(n, headers["webhook-id"]) : { status: 401 };
      received.push({
        id: headers["webhook-id"],
        timestamp: headers["webhook-timestamp"],
        signature: headers["webhook-signature"],
        idempotencyKey: req.headers["x-idempotency-key"] as string | undefined,
        body,
        verified,
        status: answer.status,
      });
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
        res.end(`answer ${answer.status}`);
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: TReceiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    secrets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
