import { env } from "@/env";
import { assertMigrated, closePoolsStep, exitOnStartError, installShutdown, log, requireConfiguredDatabase, tagDatabaseConnections } from "./process-role";
import { startWorkerRole, type TWorkerRole } from "./run-worker";
import { serveWorkerMetrics } from "./worker-metrics-server";

/**
 * `npm run start:worker`: the background worker only (detection runs, exports, webhook and
 * e-mail deliveries), any number of them against one PostgreSQL. WORKER_QUEUES and
 * WORKER_CONCURRENCY choose what it serves; WORKER_METRICS_PORT exposes its own /metrics.
 * SIGTERM lets running jobs finish, then exits.
 */
async function main(): Promise<void> {
  const url = await requireConfiguredDatabase("start:worker");
  await assertMigrated(url);
  tagDatabaseConnections("worker");
  const running: { worker?: TWorkerRole; metrics?: { close(): Promise<void> } } = {};
  installShutdown({
    steps: [
      { name: "worker", run: async () => await running.worker?.stop() },
      { name: "metrics", run: async () => await running.metrics?.close() },
      closePoolsStep,
    ],
  });
  running.worker = await startWorkerRole();
  const port = env().WORKER_METRICS_PORT;
  if (port) running.metrics = await serveWorkerMetrics({ host: env().HOST, port });
  log(`Driftline worker (pid ${process.pid}) serves: ${running.worker.queues.join(", ")}`);
}

main().catch(exitOnStartError);
