import type PgBoss from "pg-boss";
import { logger } from "@/server/lib/logger";
import { DETECTION_JOBS, DETECTION_RUN } from "@/server/services/detection/detection-runs";
import { EXPORT_JOBS, EXPORT_RUN } from "@/server/services/exports/exports";
import { ensureQueue, queue, stopQueue } from "./queue";
import { runSweepJob } from "./run-lifecycle";
import { startWebhookDispatcher, stopWebhookDispatcher, WEBHOOK_JOBS } from "./webhook-dispatcher";

/**
 * The background worker: registers every job handler on the shared pg-boss queue (and the cron
 * schedules), so any number of `npm start` processes share the work. Each domain exports a list
 * of registrations; add yours to JOBS.
 */
export interface TJobRegistration {
  name: string;
  options?: PgBoss.WorkOptions;
  /** Cron expression (UTC): pg-boss sends one job per tick, across all workers. */
  cron?: string;
  // pg-boss hands handlers a batch of jobs.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (jobs: PgBoss.Job<any>[]) => Promise<void>;
}

/** Every kind of background run, so the sweep fails any left QUEUED or RUNNING (run-lifecycle.ts). */
export const RUN_KINDS = [DETECTION_RUN, EXPORT_RUN];

const JOBS: readonly TJobRegistration[] = [...EXPORT_JOBS, ...DETECTION_JOBS, runSweepJob(RUN_KINDS), ...WEBHOOK_JOBS];
/** Every queue a worker can serve (WORKER_QUEUES picks from these; src/cli/run-worker.ts). */
export const WORKER_JOBS = JOBS;

export interface TWorkerOptions {
  /** Handlers polling each queue at once (WORKER_CONCURRENCY); default 1. */
  concurrency?: number;
  /** Run the webhook/e-mail outbox loop; default: when serving every queue. */
  webhookDispatcher?: boolean;
}

const holder = globalThis as unknown as { driftlineWorkers?: string[] };

export async function startWorker(jobs: readonly TJobRegistration[] = JOBS, options: TWorkerOptions = {}): Promise<void> {
  if (holder.driftlineWorkers) return;
  const boss = await queue();
  const names: string[] = [];
  for (const job of jobs) {
    await ensureQueue(job.name);
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: "UTC" });
    for (let i = 0; i < (options.concurrency ?? 1); i += 1) {
      await boss.work(job.name, job.options ?? {}, async (batch) => {
        try {
          await job.handler(batch);
        } catch (error) {
          logger.error({ queue: job.name, err: error }, "job failed");
          throw error;
        }
      });
    }
    names.push(job.name);
  }
  holder.driftlineWorkers = names;
  // Webhook and e-mail outbox: a claim loop per worker (src/server/jobs/webhook-dispatcher.ts).
  if (options.webhookDispatcher ?? jobs === JOBS) startWebhookDispatcher();
  logger.info({ queues: names }, "worker started");
}

/** Stops taking jobs, lets running ones finish, then stops the queue. Before the database. */
export async function stopWorker(): Promise<void> {
  const names = holder.driftlineWorkers;
  holder.driftlineWorkers = undefined;
  await stopWebhookDispatcher();
  if (names) {
    const boss = await queue();
    for (const name of names) await boss.offWork(name).catch(() => {});
  }
  await stopQueue({ graceful: true });
}
