import { logger } from "@/server/lib/logger";
import { sendDueAlertEmails } from "@/server/services/email/send-alert-emails";
import { dispatchDueDeliveries } from "@/server/services/webhooks/dispatch-deliveries";
import { defaultDeliveryPolicy, type TDeliveryPolicy } from "@/server/services/webhooks/retry-policy";
import type { TJobRegistration } from "./worker";

/**
 * The delivery side of the outbox, running in every worker process. The outbox tables are the
 * queue: each worker loops claiming due rows with FOR UPDATE SKIP LOCKED (so any number of
 * workers share them), sends after the claim committed, and records the outcome. When nothing is
 * due it sleeps `pollMs`. pg-boss adds a once-a-minute sweep (one pass, across all workers) as a
 * safety net should a process's loop be wedged.
 */

export interface TDispatcherOptions {
  pollMs?: number;
  batchSize?: number;
  leaseMarginMs?: number;
  policy?: TDeliveryPolicy;
  smtpUrl?: string | null;
  customerIds?: readonly string[];
}

const holder = globalThis as unknown as { driftlineDispatcher?: { stop: () => Promise<void> } };

async function onePass(options: TDispatcherOptions): Promise<number> {
  const policy = options.policy ?? defaultDeliveryPolicy();
  const [webhooks, emails] = await Promise.all([
    dispatchDueDeliveries({ batchSize: options.batchSize, leaseMarginMs: options.leaseMarginMs, policy, customerIds: options.customerIds }),
    sendDueAlertEmails({ scheduleMs: policy.scheduleMs, smtpUrl: options.smtpUrl, customerIds: options.customerIds }),
  ]);
  return webhooks + emails;
}

export function startWebhookDispatcher(options: TDispatcherOptions = {}): void {
  if (holder.driftlineDispatcher) return;
  let running = true;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (running) {
      let handled = 0;
      try {
        handled = await onePass(options);
      } catch (error) {
        logger.error({ err: error }, "webhook dispatcher pass failed");
      }
      if (handled === 0 && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.pollMs ?? 500);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }
  })();
  holder.driftlineDispatcher = {
    stop: async () => {
      running = false;
      (wake as (() => void) | null)?.();
      await loop;
    },
  };
  logger.info({}, "webhook dispatcher started");
}

/** Stops claiming, lets in-flight sends finish and be recorded. */
export async function stopWebhookDispatcher(): Promise<void> {
  const current = holder.driftlineDispatcher;
  holder.driftlineDispatcher = undefined;
  await current?.stop();
}

export const WEBHOOK_SWEEP_QUEUE = "webhook-sweep";

export const WEBHOOK_JOBS: TJobRegistration[] = [
  { name: WEBHOOK_SWEEP_QUEUE, cron: "* * * * *", options: { batchSize: 1, pollingIntervalSeconds: 30 }, handler: async () => void (await onePass({})) },
];
