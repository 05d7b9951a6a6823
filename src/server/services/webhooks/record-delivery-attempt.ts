import { lockRows } from "@/server/db/locks";
import { withTransaction } from "@/server/db/transaction";
import { observeWebhookAttempt } from "@/server/lib/metrics";
import { refreshAlertStatus } from "@/server/services/alerts/refresh-alert-status";
import type { TClaimedDelivery } from "./claim-due-deliveries";
import { classifyResponse, nextAttemptDelayMs, type TDeliveryPolicy } from "./retry-policy";
import type { TSendResult } from "./send-webhook";

/**
 * Records attempts and the deliveries' new states after the HTTP calls, several at once, in one
 * short transaction, in lock order (AlertEvent -> WebhookEndpoint -> WebhookDelivery, ascending ids). A success
 * always wins (DELIVERED), even when a slower worker's lease had run out and another worker
 * re-claimed the row; a failure only decides the state when its attempt is still the latest one
 * of a PENDING row. 410 Gone disables the endpoint. Returns the new status per delivery id.
 */

export interface TAttemptRecord {
  claimed: TClaimedDelivery;
  result: TSendResult;
}

export async function recordDeliveryAttempts(records: readonly TAttemptRecord[], policy: TDeliveryPolicy): Promise<Map<string, string>> {
  if (records.length === 0) return new Map();
  const outcomes = await withTransaction(
    async (tx) => {
      const alertIds = records.flatMap((r) => (r.claimed.alertEventId ? [r.claimed.alertEventId] : []));
      await lockRows(tx, "alert_events", alertIds);
      // Endpoints a 410 may disable, before the deliveries (lock order, src/server/db/locks.ts).
      const goneEndpoints = records.filter((r) => classifyResponse(r.result.statusCode, r.result.retryAfter).kind === "gone").map((r) => r.claimed.endpointId);
      await lockRows(tx, "webhook_endpoints", goneEndpoints);
      const ids = [...new Set(records.map((r) => r.claimed.id))].sort();
      const current = await tx.$queryRaw<Array<{ id: string; status: string; attempt_count: number }>>`
      SELECT id::text AS id, status::text AS status, attempt_count FROM webhook_deliveries
      WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
      const state = new Map(current.map((row) => [row.id, row]));
      const attempts = records
        .filter((r) => state.has(r.claimed.id))
        .map(({ claimed, result }) => ({
          customer_id: claimed.customerId,
          delivery_id: claimed.id,
          attempt_number: claimed.attemptNumber,
          started_at: result.startedAt.toISOString(),
          duration_ms: result.durationMs,
          status_code: result.statusCode,
          error_kind: result.errorKind,
          response_excerpt: result.excerpt,
        }));
      await tx.$executeRaw`
      INSERT INTO webhook_delivery_attempts (customer_id, delivery_id, attempt_number, started_at, duration_ms, status_code, error_kind, response_excerpt)
      SELECT a.customer_id, a.delivery_id, a.attempt_number, a.started_at, a.duration_ms, a.status_code, a.error_kind, a.response_excerpt
      FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb) AS a(customer_id uuid, delivery_id uuid, attempt_number int,
        started_at timestamptz, duration_ms int, status_code int, error_kind text, response_excerpt text)
      ON CONFLICT (customer_id, delivery_id, attempt_number) DO NOTHING`;

      const updates: { id: string; status: string; delay_ms: number | null }[] = [];
      const gone = new Set<string>();
      const outcomes = new Map<string, string>();
      for (const { claimed, result } of records) {
        const row = state.get(claimed.id);
        if (!row) continue;
        const outcome = classifyResponse(result.statusCode, result.retryAfter);
        let status = row.status;
        if (outcome.kind === "delivered") {
          if (row.status !== "DELIVERED") status = "DELIVERED";
        } else if (row.status === "PENDING" && row.attempt_count === claimed.attemptNumber) {
          const delay =
            outcome.kind === "retry" ? nextAttemptDelayMs(policy, claimed.attemptNumber - claimed.attemptsBeforeReplay, outcome.retryAfterMs) : null;
          status = outcome.kind === "retry" ? (delay === null ? "DEAD" : "PENDING") : "FAILED";
          if (outcome.kind === "gone") gone.add(claimed.endpointId);
          updates.push({ id: claimed.id, status, delay_ms: status === "PENDING" ? delay : null });
        }
        if (status === "DELIVERED" && row.status !== "DELIVERED") {
          updates.push({ id: claimed.id, status, delay_ms: null });
          row.status = "DELIVERED";
        }
        outcomes.set(claimed.id, status);
      }
      if (updates.length > 0) {
        await tx.$executeRaw`
        UPDATE webhook_deliveries d SET status = u.status::delivery_status, updated_at = now(),
          delivered_at = CASE WHEN u.status = 'DELIVERED' THEN now() ELSE NULL END,
          next_attempt_at = CASE WHEN u.delay_ms IS NULL THEN NULL ELSE now() + make_interval(secs => u.delay_ms / 1000) END
        FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, status text, delay_ms float8)
        WHERE d.id = u.id`;
      }
      if (gone.size > 0) {
        await tx.$executeRaw`
        UPDATE webhook_endpoints SET enabled = false, disabled_reason = ${`The receiver answered 410 Gone on ${new Date().toISOString()}.`}, updated_at = now()
        WHERE id = ANY(${[...gone]}::uuid[])`;
      }
      await refreshAlertStatus(tx, [...new Set(alertIds)]);
      return outcomes;
    },
    { timeoutMs: 15_000 },
  );
  // Counted once committed (a retried transaction must not count twice).
  for (const { claimed } of records) {
    const status = outcomes.get(claimed.id);
    if (status) observeWebhookAttempt(claimed.attemptNumber, status);
  }
  return outcomes;
}
