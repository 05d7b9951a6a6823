import type { z } from "zod";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { lockRows } from "@/server/db/locks";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { refreshAlertStatus } from "@/server/services/alerts/refresh-alert-status";
import { webhookDeliverySelect, type ZWebhookDeliveryFilters } from "./webhook-delivery-shape";

/** The delivery log (ADMIN): list, one delivery with its attempts, and replay. */

export function listWebhookDeliveries(customerId: string, params: TListParams & z.infer<typeof ZWebhookDeliveryFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.endpointId) where.endpointId = params.endpointId;
  if (params.alertEventId) where.alertEventId = params.alertEventId;
  if (params.status) where.status = params.status;
  if (params.eventType) where.eventType = params.eventType;
  if (params.search) where.messageId = { startsWith: likeLiteral(params.search) };
  return paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp" }, fallback: "-createdAt" },
    findMany: (args) => scoped.webhookDelivery.findMany({ ...args, select: webhookDeliverySelect }),
    count: (args) => scoped.webhookDelivery.count(args),
  });
}

export async function getWebhookDelivery(customerId: string, id: string) {
  const delivery = await tenantDb(customerId).webhookDelivery.findFirst({
    where: { id },
    select: {
      ...webhookDeliverySelect,
      payload: true,
      attempts: {
        orderBy: { attemptNumber: "asc" },
        take: 100,
        select: { attemptNumber: true, startedAt: true, durationMs: true, statusCode: true, errorKind: true, responseExcerpt: true },
      },
    },
  });
  if (!delivery) throw new AppError("NOT_FOUND", "No such webhook delivery.");
  return delivery;
}

/**
 * Sends a DEAD or FAILED delivery again, with the same webhook-id (receivers that did process it
 * dedupe) and a fresh retry budget. Its endpoint must be enabled. Audited.
 */
export function replayWebhookDelivery(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const delivery = await tx.webhookDelivery.findFirst({ where: { id }, select: { id: true, alertEventId: true, endpoint: { select: { enabled: true } } } });
    if (!delivery) throw new AppError("NOT_FOUND", "No such webhook delivery.");
    if (!delivery.endpoint.enabled) throw new AppError("CONFLICT", "The endpoint is disabled; enable it before replaying its deliveries.");
    if (delivery.alertEventId) await lockRows(tx, "alert_events", [delivery.alertEventId]);
    await lockRows(tx, "webhook_deliveries", [id]);
    const changed = await tx.$executeRaw`
      UPDATE webhook_deliveries SET status = 'PENDING', attempts_before_replay = attempt_count, next_attempt_at = now(), updated_at = now()
      WHERE id = ${id}::uuid AND customer_id = ${customerId}::uuid AND status IN ('DEAD', 'FAILED')`;
    if (changed === 0) throw new AppError("CONFLICT", "Only DEAD or FAILED deliveries can be replayed.");
    if (delivery.alertEventId) await refreshAlertStatus(tx, delivery.alertEventId);
    await auditAction(tx, actor, customerId, "webhook_delivery.replay", { type: "webhook_delivery", id });
    return tx.webhookDelivery.findFirstOrThrow({ where: { id }, select: webhookDeliverySelect });
  });
}
