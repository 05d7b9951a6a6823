import { withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { enqueueWebhookDeliveries } from "./enqueue-webhook-deliveries";
import { randomMessageId } from "./message-id";
import { webhookDeliverySelect } from "./webhook-delivery-shape";

/**
 * "Send test event": a `webhook.test` delivery through the same outbox, signer and retry policy
 * as real events (whatever event types the endpoint subscribes to). The answer is the queued
 * delivery; its attempts show up in the delivery log within a second or so.
 */
export function sendTestWebhook(customerId: string, actor: TActor, endpointId: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId }, select: { id: true, enabled: true } });
    if (!endpoint) throw new AppError("NOT_FOUND", "No such webhook endpoint.");
    if (!endpoint.enabled) throw new AppError("CONFLICT", "The endpoint is disabled; enable it to send a test event.");
    const messageId = randomMessageId();
    const now = new Date().toISOString();
    await enqueueWebhookDeliveries(tx, [
      {
        customerId,
        endpointId,
        alertEventId: null,
        messageId,
        eventType: "webhook.test",
        payload: { type: "webhook.test", timestamp: now, data: { message: "This is a test event from Driftline.", endpointId } },
      },
    ]);
    await auditAction(tx, actor, customerId, "webhook_endpoint.test", { type: "webhook_endpoint", id: endpointId });
    return tx.webhookDelivery.findFirstOrThrow({ where: { messageId }, select: webhookDeliverySelect });
  });
}
