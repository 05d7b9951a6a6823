import { enqueueDetectionRun } from "@/server/services/detection/enqueue-detection-run";

/**
 * After a successful upload, a detection run for the tenant is queued. Called after
 * commit, never inside the upload's transaction; the caller logs a failure and never fails the
 * upload for it. A run already queued or running for the tenant is reused by the detection module.
 */
export async function queueDetectionRun(customerId: string, requestedById: string | null): Promise<void> {
  await enqueueDetectionRun(customerId, { trigger: "UPLOAD", requestedById });
}
