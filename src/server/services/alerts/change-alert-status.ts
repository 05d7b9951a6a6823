import { withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { lockRows } from "@/server/db/locks";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { enqueueWebhookDeliveries, readRuleChannels, resolvedAlertRows } from "./alert-outbox";
import { readDriftEventSummaries } from "./drift-event-summary";
import { readAlert } from "./list-alerts";

/**
 * People's decisions on alerts (ANALYST+): acknowledge (one or a bounded batch) and resolve.
 * Rows are locked in ascending id order (AlertEvent in the lock order); a resolution writes the
 * alert.resolved outbox rows in the same transaction. Audited.
 */

export async function acknowledgeAlerts(tx: TTenantTx, customerId: string, actor: TActor, ids: readonly string[]): Promise<string[]> {
  const locked = await tx.alertEvent.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  await lockRows(
    tx,
    "alert_events",
    locked.map((a) => a.id),
  );
  return markAcknowledged(
    tx,
    customerId,
    actor,
    locked.map((a) => a.id),
  );
}

/** The ids among `ids` that were open (PENDING, SENT, FAILED) and are ACKNOWLEDGED now. */
async function markAcknowledged(tx: TTenantTx, customerId: string, actor: TActor, ids: readonly string[]): Promise<string[]> {
  const changed = await tx.$queryRaw<{ id: string }[]>`
    UPDATE alert_events SET status = 'ACKNOWLEDGED', acknowledged_at = greatest(now(), created_at), acknowledged_by_id = ${actor.userId}::uuid, updated_at = now()
    WHERE customer_id = ${customerId}::uuid AND id = ANY(${[...ids]}::uuid[]) AND status IN ('PENDING', 'SENT', 'FAILED')
    RETURNING id::text AS id`;
  return changed.map((row) => row.id);
}

export async function acknowledgeAlert(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    // One row, so no separate lock: the UPDATE locks it and re-checks the status under the lock,
    // so of two concurrent acknowledgements exactly one changes the row and writes the audit row.
    // The answer's read then tells "already acknowledged" (fine) from "no such alert" and
    // "resolved" when nothing changed.
    const changed = (await markAcknowledged(tx, customerId, actor, [id])).length > 0;
    if (changed) await auditAction(tx, actor, customerId, "alert.acknowledge", { type: "alert", id });
    const alert = await readAlert(tx, id);
    if (!changed && alert.status === "RESOLVED") throw new AppError("CONFLICT", "This alert is already resolved.");
    return alert;
  });
}

export async function bulkAcknowledgeAlerts(customerId: string, actor: TActor, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  return withTenantTransaction(customerId, async (tx) => {
    const acknowledged = await acknowledgeAlerts(tx, customerId, actor, unique);
    await auditAction(tx, actor, customerId, "alert.bulk_acknowledge", { type: "alert" }, { requested: unique.length, acknowledged: acknowledged.length });
    const done = new Set(acknowledged);
    return { acknowledged, skipped: unique.filter((id) => !done.has(id)) };
  });
}

/** Resolves (if open or acknowledged) and queues alert.resolved; idempotent on a resolved alert. */
export async function resolveAlertInTx(tx: TTenantTx, customerId: string, actor: TActor, id: string): Promise<boolean> {
  await lockRows(tx, "alert_events", [id]);
  const [row] = await tx.$queryRaw<{ id: string; rule_id: string; drift_event_id: string; suppressed: boolean; created_at: Date }[]>`
    UPDATE alert_events SET status = 'RESOLVED', resolved_at = greatest(now(), created_at), resolved_by_id = ${actor.userId}::uuid, updated_at = now()
    WHERE customer_id = ${customerId}::uuid AND id = ${id}::uuid AND status <> 'RESOLVED'
    RETURNING id::text AS id, rule_id::text AS rule_id, drift_event_id::text AS drift_event_id, suppressed, created_at`;
  if (!row) return false;
  if (!row.suppressed) {
    const rules = await readRuleChannels(tx, customerId, [row.rule_id]);
    const drifts = await readDriftEventSummaries(tx, customerId, [row.drift_event_id]);
    const alert = { id: row.id, customerId, status: "RESOLVED", createdAt: row.created_at };
    await enqueueWebhookDeliveries(tx, resolvedAlertRows(alert, rules.get(row.rule_id)!, drifts.get(row.drift_event_id)));
  }
  return true;
}

export async function resolveAlert(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const alert = await tx.alertEvent.findFirst({ where: { id }, select: { id: true } });
    if (!alert) throw new AppError("NOT_FOUND", "No such alert.");
    if (await resolveAlertInTx(tx, customerId, actor, id)) await auditAction(tx, actor, customerId, "alert.resolve", { type: "alert", id });
    return readAlert(tx, id);
  });
}
