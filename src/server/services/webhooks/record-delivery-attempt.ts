import { lockRows } from "@/server/db/locks";
import { withTransaction } from "@/server/db/transaction";
import { observeWebhookAttempt } from "@/server/lib/metrics";
import { refreshAlertStatus } from "@/server/services/alerts/refresh-alert-status";
import type { TClaimedDelivery } from "./claim-due-deliveries";
import { classifyResponse, nextAttemptDelayMs, type TDeliveryPolicy } from "./retry-policy";
import type { TSendResult } from "./send-webhook";

/**
 * Records one attempt and the delivery's new state, in a short transaction after the HTTP call,
 * in lock order (AlertEvent -> WebhookDelivery). A success always wins (DELIVERED), even when a
 * slower worker's lease had run out and another worker re-claimed the row; a failure only decides
 * the state when this attempt is still the latest one. 410 Gone disables the endpoint.
 */
export async function recordDeliveryAttempt(claimed: TClaimedDelivery, result: TSendResult, policy: TDeliveryPolicy): Promise<string> {
  return withTransaction(async (tx) => {
    if (claimed.alertEventId) await lockRows(tx, "alert_events", [claimed.alertEventId]);
    const [current] = await tx.$queryRaw<Array<{ status: string; attempt_count: number; attempts_before_replay: number }>>`
      SELECT status::text AS status, attempt_count, attempts_before_replay FROM webhook_deliveries
      WHERE id = ${claimed.id}::uuid FOR UPDATE`;
    if (!current) return "GONE";
    await tx.webhookDeliveryAttempt.createMany({
      data: [{
        customerId: claimed.customerId,
        deliveryId: claimed.id,
        attemptNumber: claimed.attemptNumber,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        errorKind: result.errorKind,
        responseExcerpt: result.excerpt,
      }],
      skipDuplicates: true,
    });
    const outcome = classifyResponse(result.statusCode, result.retryAfter);
    const latest = current.status === "PENDING" && current.attempt_count === claimed.attemptNumber;
    let status = current.status;
    if (outcome.kind === "delivered" && current.status !== "DELIVERED") {
      status = "DELIVERED";
      await tx.$executeRaw`
        UPDATE webhook_deliveries SET status = 'DELIVERED', delivered_at = now(), next_attempt_at = NULL, updated_at = now()
        WHERE id = ${claimed.id}::uuid`;
    } else if (latest && outcome.kind !== "delivered") {
      const delay = outcome.kind === "retry" ? nextAttemptDelayMs(policy, claimed.attemptNumber - claimed.attemptsBeforeReplay, outcome.retryAfterMs) : null;
      status = outcome.kind === "retry" ? (delay === null ? "DEAD" : "PENDING") : "FAILED";
      await tx.$executeRaw`
        UPDATE webhook_deliveries SET status = ${status}::delivery_status, updated_at = now(),
          next_attempt_at = CASE WHEN ${delay}::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => ${delay}::float8 / 1000) END
        WHERE id = ${claimed.id}::uuid`;
      if (outcome.kind === "gone") {
        await tx.$executeRaw`
          UPDATE webhook_endpoints SET enabled = false, disabled_reason = ${`The receiver answered 410 Gone on ${new Date().toISOString()}.`}, updated_at = now()
          WHERE id = ${claimed.endpointId}::uuid`;
      }
    }
    if (claimed.alertEventId) await refreshAlertStatus(tx, claimed.alertEventId);
    return status;
  }, { timeoutMs: 15_000 }).then((status) => {
    observeWebhookAttempt(claimed.attemptNumber, status);
    return status;
  });
}
