import { logger } from "@/server/lib/logger";
import { claimDueDeliveries, type TClaimedDelivery } from "./claim-due-deliveries";
import { recordDeliveryAttempt } from "./record-delivery-attempt";
import { defaultDeliveryPolicy, type TDeliveryPolicy } from "./retry-policy";
import { sendWebhook } from "./send-webhook";
import { activeSecrets } from "./webhook-secret";

/**
 * One pass of the webhook sender: claim (short transaction, committed), send over HTTP with no
 * transaction open, record each attempt (another short transaction). Returns how many deliveries
 * it handled, so the dispatcher loop knows whether to look again at once.
 */

export interface TDispatchOptions {
  batchSize?: number;
  /** Extra lease time beyond the timeout before a claimed row is due again. */
  leaseMarginMs?: number;
  policy?: TDeliveryPolicy;
  customerIds?: readonly string[];
}

export async function dispatchDueDeliveries(options: TDispatchOptions = {}): Promise<number> {
  const policy = options.policy ?? defaultDeliveryPolicy();
  const claimed = await claimDueDeliveries({
    batchSize: options.batchSize ?? 50,
    leaseMs: policy.timeoutMs + (options.leaseMarginMs ?? 10_000),
    maxAttempts: policy.scheduleMs.length,
    customerIds: options.customerIds,
  });
  await Promise.all(claimed.map((delivery) => deliverOne(delivery, policy)));
  return claimed.length;
}

async function deliverOne(delivery: TClaimedDelivery, policy: TDeliveryPolicy): Promise<void> {
  if (delivery.status === "DEAD") return;
  try {
    let secrets: string[];
    try {
      secrets = activeSecrets(delivery);
    } catch (error) {
      logger.error({ deliveryId: delivery.id, err: error }, "webhook secret cannot be decrypted (WEBHOOK_SECRET_KEY changed?)");
      return;
    }
    const result = await sendWebhook({ url: delivery.url, messageId: delivery.messageId, body: delivery.body, secrets, timeoutMs: policy.timeoutMs, allowPrivate: policy.allowPrivate });
    await recordDeliveryAttempt(delivery, result, policy);
  } catch (error) {
    // The lease makes the row due again; nothing is lost.
    logger.error({ deliveryId: delivery.id, err: error }, "webhook delivery attempt could not be recorded");
  }
}
