import { logger } from "@/server/lib/logger";

/**
 * The hook point for "after a successful upload, queue a detection run" (issue 4). The detection
 * module's `enqueueDetectionRun(customerId, { trigger: "UPLOAD", requestedById })` is being
 * written concurrently; until it lands this adapter only logs. Called after commit, never inside
 * the upload's transaction, and a failure here never fails the upload.
 */
export async function queueDetectionRun(customerId: string, requestedById: string | null): Promise<void> {
  logger.info({ customerId, requestedById, trigger: "UPLOAD" }, "detection run after upload: enqueue hook not wired yet");
}
