import pg from "pg";
import { databaseUrl, env } from "@/env";
import { WEBHOOK_SWEEP_QUEUE } from "@/server/jobs/webhook-dispatcher";
import { startWorker, stopWorker, WORKER_JOBS, type TJobRegistration } from "@/server/jobs/worker";
import { startHeartbeat, type THeartbeat } from "@/server/services/health/worker-heartbeat";

/**
 * The worker role: serves the queues WORKER_QUEUES names (default: all) with WORKER_CONCURRENCY
 * handlers per queue, runs the webhook/e-mail outbox loop when it serves `webhook-sweep`, and
 * beats in worker_heartbeats so /api/ready anywhere can see it. Stopping takes no new jobs, lets
 * running ones finish (pg-boss fails those still running after its timeout, which hands them
 * back to the queue for a retry), then removes the heartbeat.
 */
export interface TWorkerRole {
  queues: string[];
  stop(): Promise<void>;
}

export function selectJobs(spec: string | undefined): TJobRegistration[] {
  if (!spec) return [...WORKER_JOBS];
  const known = new Map(WORKER_JOBS.map((job) => [job.name, job]));
  const wanted = [
    ...new Set(
      spec
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = wanted.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`WORKER_QUEUES: unknown queue(s) ${unknown.join(", ")}; known: ${[...known.keys()].join(", ")}`);
  }
  return wanted.map((name) => known.get(name)!);
}

/**
 * Workers starting at the same moment would create pg-boss queues and schedules concurrently,
 * which deadlocks inside pg-boss; a session advisory lock lets them register one at a time.
 */
async function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('driftline:worker-start'))");
    return await work();
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startWorkerRole(options: { queues?: string; concurrency?: number; heartbeatMs?: number } = {}): Promise<TWorkerRole> {
  const jobs = selectJobs(options.queues ?? env().WORKER_QUEUES);
  const queues = jobs.map((job) => job.name);
  await oneAtATime(() =>
    startWorker(jobs.length === WORKER_JOBS.length ? WORKER_JOBS : jobs, {
      concurrency: options.concurrency ?? env().WORKER_CONCURRENCY,
      webhookDispatcher: queues.includes(WEBHOOK_SWEEP_QUEUE),
    }),
  );
  let heartbeat: THeartbeat | undefined;
  try {
    heartbeat = await startHeartbeat(queues, options.heartbeatMs);
  } catch (error) {
    await stopWorker().catch(() => {});
    throw error;
  }
  return {
    queues,
    stop: async () => {
      await stopWorker();
      await heartbeat?.stop();
    },
  };
}
