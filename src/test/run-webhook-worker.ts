/**
 * A webhook worker as its own process, for the crash-safety test and the benchmark: runs the
 * outbox dispatcher loop (src/server/jobs/webhook-dispatcher.ts) until SIGTERM/SIGINT — or until
 * it is SIGKILLed mid-batch, which is the point. Configured by environment variables:
 *   DATABASE_URL, WORKER_CUSTOMER_IDS (comma-separated, optional), WORKER_TIMEOUT_MS,
 *   WORKER_SCHEDULE (e.g. "0s,1s,1s"), WORKER_LEASE_MARGIN_MS, WORKER_BATCH_SIZE, WORKER_POLL_MS.
 */
import { disconnectDb } from "@/server/db/client";
import { startWebhookDispatcher, stopWebhookDispatcher } from "@/server/jobs/webhook-dispatcher";
import { parseRetrySchedule } from "@/server/services/webhooks/retry-policy";

const customerIds = process.env.WORKER_CUSTOMER_IDS ? process.env.WORKER_CUSTOMER_IDS.split(",") : undefined;
startWebhookDispatcher({
  customerIds,
  batchSize: Number(process.env.WORKER_BATCH_SIZE ?? 50),
  pollMs: Number(process.env.WORKER_POLL_MS ?? 100),
  leaseMarginMs: Number(process.env.WORKER_LEASE_MARGIN_MS ?? 1000),
  smtpUrl: null,
  policy: {
    scheduleMs: parseRetrySchedule(process.env.WORKER_SCHEDULE ?? "0s,1s,1s,1s,1s"),
    timeoutMs: Number(process.env.WORKER_TIMEOUT_MS ?? 2000),
    allowPrivate: true,
  },
});
process.stdout.write("ready\n");

async function shutdown() {
  await stopWebhookDispatcher();
  await disconnectDb();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
