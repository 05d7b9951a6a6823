import type PgBoss from "pg-boss";
import { db } from "@/server/db/client";
import { logger } from "@/server/lib/logger";
import { enqueueDetectionRun } from "./enqueue-detection-run";
import { executeDetectionRun } from "./execute-detection-run";
import { DETECTION_RUN_QUEUE } from "./send-detection-job";

/**
 * Detection on the job queue: one job per queued run, and a daily scheduled job that queues a
 * run for every tenant (pg-boss's cron runs it once per schedule across all workers). The
 * worker (src/server/jobs/worker.ts) registers these.
 */
export { DETECTION_RUN_QUEUE } from "./send-detection-job";
export const DETECTION_DAILY_QUEUE = "detection-daily";
/** Every day at 03:15 UTC. */
export const DETECTION_DAILY_CRON = "15 3 * * *";

export async function handleDetectionRunJobs(jobs: PgBoss.Job<{ runId: string }>[]): Promise<void> {
  for (const job of jobs) await executeDetectionRun(job.data.runId);
}

/** Queues a SCHEDULED run for every tenant, a page of customers at a time (platform path). */
export async function enqueueAllTenants(): Promise<number> {
  let after: string | undefined;
  let count = 0;
  for (;;) {
    const customers = await db().customer.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: "asc" },
      take: 500,
      select: { id: true },
    });
    for (const customer of customers) {
      try {
        await enqueueDetectionRun(customer.id, { trigger: "SCHEDULED" });
        count += 1;
      } catch (error) {
        logger.error({ customerId: customer.id, err: error }, "could not queue the scheduled detection run");
      }
    }
    if (customers.length < 500) return count;
    after = customers.at(-1)?.id;
  }
}

export const DETECTION_JOBS = [
  { name: DETECTION_RUN_QUEUE, options: { batchSize: 1, pollingIntervalSeconds: 2 }, handler: handleDetectionRunJobs },
  {
    name: DETECTION_DAILY_QUEUE,
    options: { batchSize: 1, pollingIntervalSeconds: 30 },
    cron: DETECTION_DAILY_CRON,
    handler: async () => {
      const count = await enqueueAllTenants();
      logger.info({ count }, "scheduled detection runs queued");
    },
  },
];
