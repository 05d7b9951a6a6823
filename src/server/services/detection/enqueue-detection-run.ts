import { createDetectionRun, type TTrigger } from "./create-detection-run";
import { sendDetectionJob } from "./send-detection-job";
import type { TDetectionRun } from "./detection-run-shape";
import { markFailed } from "./execute-detection-run";

/**
 * Queues a detection run for a tenant and returns it at once (ingestion calls this after an
 * upload; the API's trigger and the daily schedule too). If the tenant already has a run QUEUED
 * or RUNNING, that run is returned instead (`created: false`) and nothing new starts.
 */
export async function enqueueDetectionRun(
  customerId: string,
  options: { trigger: TTrigger; requestedById?: string | null },
): Promise<TDetectionRun & { status: "QUEUED" | "RUNNING"; created: boolean }> {
  const { run, created } = await createDetectionRun(customerId, options.trigger, options.requestedById ?? null);
  if (created) {
    try {
      await sendDetectionJob(run.id);
    } catch (error) {
      // Never leave a QUEUED row no job will pick up: it would block the tenant's next runs.
      await markFailed(run.id, new Error(`could not queue the job: ${error instanceof Error ? error.message : String(error)}`));
      throw error;
    }
  }
  // A run read as in progress a moment ago is reported as such even if it has just finished.
  const status = run.status === "RUNNING" ? "RUNNING" : "QUEUED";
  return { ...run, status, created };
}
