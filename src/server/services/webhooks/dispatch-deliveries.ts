import { logger } from "@/server/lib/logger";
import { claimDueDeliveries, type TClaimedDelivery } from "./claim-due-deliveries";
import { recordDeliveryAttempts, type TAttemptRecord } from "./record-delivery-attempt";
import { defaultDeliveryPolicy, type TDeliveryPolicy } from "./retry-policy";
import { sendWebhook } from "./send-webhook";
import { activeSecrets } from "./webhook-secret";

/**
 * One pass of the webhook sender: claim (short statement, committed), send over HTTP with no
 * transaction open, record the attempts (short transactions). Results are recorded as they come
 * in, grouped: while one group is being written the next one gathers, so a fast receiver costs
 * few transactions and a slow one does not hold back the others' records. Returns how many
 * deliveries it handled, so the dispatcher loop knows whether to look again at once.
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
  const recorder = groupedRecorder(policy);
  await Promise.all(
    claimed.map(async (delivery) => {
      const record = await attempt(delivery, policy);
      if (record) recorder.add(record);
    }),
  );
  await recorder.drain();
  return claimed.length;
}

async function attempt(delivery: TClaimedDelivery, policy: TDeliveryPolicy): Promise<TAttemptRecord | null> {
  if (delivery.status === "DEAD") return null;
  let secrets: string[];
  try {
    secrets = activeSecrets(delivery);
  } catch (error) {
    // The lease makes the row due again, and the log says why it cannot be signed.
    logger.error({ deliveryId: delivery.id, err: error }, "webhook secret cannot be decrypted (WEBHOOK_SECRET_KEY changed?)");
    return null;
  }
  const result = await sendWebhook({
    url: delivery.url,
    messageId: delivery.messageId,
    body: delivery.body,
    secrets,
    timeoutMs: policy.timeoutMs,
    allowPrivate: policy.allowPrivate,
  });
  return { claimed: delivery, result };
}

function groupedRecorder(policy: TDeliveryPolicy) {
  let pending: TAttemptRecord[] = [];
  let writing: Promise<void> | null = null;
  const flush = async () => {
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      try {
        // Counted in the attempt metrics by recordDeliveryAttempts, once committed.
        await recordDeliveryAttempts(group, policy);
      } catch (error) {
        // The leases make these rows due again; nothing is lost.
        logger.error({ deliveries: group.length, err: error }, "webhook delivery attempts could not be recorded");
      }
    }
    writing = null;
  };
  return {
    add(record: TAttemptRecord) {
      pending.push(record);
      writing ??= flush();
    },
    async drain() {
      while (writing) await writing;
    },
  };
}
