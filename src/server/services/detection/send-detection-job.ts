import { ensureQueue, queue } from "@/server/jobs/queue";

export const DETECTION_RUN_QUEUE = "detection-run";

/** Hands a queued run to the workers. */
export async function sendDetectionJob(runId: string): Promise<void> {
  const boss = await queue();
  await ensureQueue(DETECTION_RUN_QUEUE);
  // No pg-boss retries: a run records its own failure; a new trigger starts a new run.
  await boss.send(DETECTION_RUN_QUEUE, { runId }, { retryLimit: 0, expireInSeconds: 3600 });
}
