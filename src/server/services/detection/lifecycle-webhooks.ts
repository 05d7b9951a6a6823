import type { TTx } from "@/server/db/client";
import { readDriftEventSummaries } from "@/server/services/alerts/drift-event-summary";
import { enqueueWebhookDeliveries } from "@/server/services/webhooks/enqueue-webhook-deliveries";
import { subscribedEndpointIds, subscribedEventRows } from "@/server/services/webhooks/enqueue-subscribed-events";
import { detectionRunSelect, toDetectionRun } from "./detection-run-shape";
import type { TDriftEventChange } from "./on-drift-events-changed";

/**
 * Detection's own webhook events (PRODUCT.md §5), for endpoints subscribed to them whatever the
 * alert rules say — written to the outbox in the transaction that records the change:
 *   - drift.detected: once per newly OPENED drift event (re-detections send nothing),
 *   - drift.resolved: once per drift event the run RESOLVED,
 *     both in the run's write transaction (writeDriftEvents), after the alert hook;
 *   - run.completed: once per finished run, SUCCEEDED (in the same write transaction) or FAILED
 *     (in the transaction that records the failure), with the run's counts and summary.
 * Message ids derive from (type, endpoint, drift event / run), so a retried transaction or a
 * second attempt to finish the run cannot duplicate a message.
 */

export async function enqueueDriftEventWebhooks(tx: TTx, customerId: string, changes: readonly TDriftEventChange[], now = new Date()): Promise<number> {
  const opened = changes.filter((c) => c.kind === "OPENED").map((c) => c.id);
  const resolved = changes.filter((c) => c.kind === "RESOLVED").map((c) => c.id);
  const detectedEndpoints = opened.length > 0 ? await subscribedEndpointIds(tx, customerId, "drift.detected") : [];
  const resolvedEndpoints = resolved.length > 0 ? await subscribedEndpointIds(tx, customerId, "drift.resolved") : [];
  const wanted = [...(detectedEndpoints.length > 0 ? opened : []), ...(resolvedEndpoints.length > 0 ? resolved : [])];
  if (wanted.length === 0) return 0;
  const summaries = await readDriftEventSummaries(tx, customerId, wanted);
  const subjects = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const driftEvent = summaries.get(id);
      return driftEvent ? [{ id, data: { driftEvent } }] : [];
    });
  return enqueueWebhookDeliveries(tx, [
    ...subscribedEventRows(customerId, "drift.detected", detectedEndpoints, subjects(opened), now),
    ...subscribedEventRows(customerId, "drift.resolved", resolvedEndpoints, subjects(resolved), now),
  ]);
}

/** run.completed for a run that has just been recorded SUCCEEDED or FAILED in `tx`. */
export async function enqueueRunCompletedWebhooks(tx: TTx, customerId: string, runId: string, now = new Date()): Promise<number> {
  const endpoints = await subscribedEndpointIds(tx, customerId, "run.completed");
  if (endpoints.length === 0) return 0;
  const row = await tx.detectionRun.findFirst({ where: { id: runId, customerId }, select: detectionRunSelect });
  if (!row || (row.status !== "SUCCEEDED" && row.status !== "FAILED")) return 0;
  return enqueueWebhookDeliveries(tx, subscribedEventRows(customerId, "run.completed", endpoints, [{ id: runId, data: { run: toDetectionRun(row) } }], now));
}
