import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { logger } from "@/server/lib/logger";
import { observeDetectionRun } from "@/server/lib/metrics";
import { getSettings } from "@/server/services/settings/settings";
import { computeWindows } from "./compute-windows";
import { detectionRunSelect, toDetectionRun, type TDetectionRun } from "./detection-run-shape";
import { enqueueRunCompletedWebhooks } from "./lifecycle-webhooks";
import type { TDriftEventsChangedHook } from "./on-drift-events-changed";
import { runDetection } from "./run-detection";

/**
 * Executes a QUEUED run (the worker's job handler and the CLI call this): claims it (QUEUED ->
 * RUNNING, with its windows and start time), runs detection, and on any error records FAILED
 * with the reason. The events, the alert hook's writes and the SUCCEEDED record share one
 * transaction, so a failed run has changed nothing but its own row (and its run.completed
 * outbox rows, written with the FAILED record). A run that is not QUEUED
 * (already taken by another worker, or finished) is left alone.
 */
export async function executeDetectionRun(
  runId: string,
  options: { asOf?: Date | string; onChanged?: TDriftEventsChangedHook } = {},
): Promise<TDetectionRun | null> {
  const queued = await db().detectionRun.findUnique({ where: { id: runId }, select: { customerId: true, status: true } });
  if (!queued) return null;
  if (queued.status === "QUEUED") {
    let windows;
    try {
      windows = computeWindows(options.asOf ?? new Date(), await getSettings(queued.customerId));
    } catch (error) {
      await markFailed(runId, error);
      return loadRun(runId);
    }
    const claimed = await db().$executeRaw`
      UPDATE detection_runs SET status = 'RUNNING', started_at = greatest(clock_timestamp(), queued_at),
        baseline_start = ${windows.baselineStart}::date, baseline_end = ${windows.baselineEnd}::date,
        current_start = ${windows.currentStart}::date, current_end = ${windows.currentEnd}::date
      WHERE id = ${runId}::uuid AND status = 'QUEUED'`;
    if (claimed === 1) {
      const startedAt = performance.now();
      try {
        await runDetection(queued.customerId, { runId, windows, onChanged: options.onChanged });
      } catch (error) {
        logger.error({ runId, customerId: queued.customerId, err: error }, "detection run failed");
        await markFailed(runId, error);
      }
      const run = await loadRun(runId);
      observeDetectionRun(run, (performance.now() - startedAt) / 1000);
      return run;
    }
  }
  return loadRun(runId);
}

async function loadRun(runId: string): Promise<TDetectionRun | null> {
  const row = await db().detectionRun.findUnique({ where: { id: runId }, select: detectionRunSelect });
  return row ? toDetectionRun(row) : null;
}

/**
 * Records a run FAILED (unless it has already finished) and, in the same transaction, its
 * run.completed outbox rows: the run's changes rolled back, but its end is still announced.
 */
export async function markFailed(runId: string, error: unknown): Promise<void> {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000) || "unknown error";
  await withTransaction(async (tx) => {
    const failed = await tx.$queryRaw<{ customer_id: string }[]>`
      UPDATE detection_runs SET status = 'FAILED', error = ${reason},
        started_at = coalesce(started_at, greatest(clock_timestamp(), queued_at)),
        finished_at = greatest(clock_timestamp(), coalesce(started_at, queued_at))
      WHERE id = ${runId}::uuid AND status IN ('QUEUED', 'RUNNING')
      RETURNING customer_id::text AS customer_id`;
    if (failed[0]) await enqueueRunCompletedWebhooks(tx, failed[0].customer_id, runId);
  });
}
