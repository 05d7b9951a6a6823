import type { TActor } from "@/server/lib/actor";
import { logger } from "@/server/lib/logger";
import { enqueueDetectionRun } from "@/server/services/detection/detection-runs";
import type { TApplyResult } from "./apply-claim-lines";
import { refreshUnderpayments } from "@/server/services/underpayments/refresh-underpayments";

/**
 * Side effects of a finished upload, after its transaction committed (its audit row was written
 * in that transaction, apply-claim-lines.ts): when lines were applied, the underpayment worklist
 * refreshed for the upload's lines (new underpayments; corrections that raised an allowed amount
 * recorded as recovered) and a detection run for the tenant.
 */
export async function afterUploadApplied(customerId: string, actor: TActor, result: TApplyResult): Promise<void> {
  const { upload } = result;
  if (upload.status !== "APPLIED") return;
  try {
    await refreshUnderpayments(customerId, { uploadId: upload.id });
  } catch (error) {
    logger.error({ customerId, uploadId: upload.id, err: error }, "could not refresh underpayments after an upload");
  }
  try {
    // A run already queued or running for the tenant is reused (detection-runs.ts).
    await enqueueDetectionRun(customerId, { trigger: "UPLOAD", requestedById: actor.userId });
  } catch (error) {
    logger.error({ customerId, uploadId: upload.id, err: error }, "could not queue the detection run after an upload");
  }
}
