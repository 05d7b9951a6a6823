import { db } from "@/server/db/client";
import { auditAction, type TActor } from "@/server/lib/actor";
import { logger } from "@/server/lib/logger";
import { enqueueDetectionRun } from "@/server/services/detection/detection-runs";
import type { TApplyResult } from "./apply-claim-lines";

/**
 * Side effects of a finished upload, after its transaction committed: the audit row (ids and
 * counts only) and, when lines were applied, a detection run for the tenant.
 */
export async function afterUploadApplied(customerId: string, actor: TActor, result: TApplyResult): Promise<void> {
  const { upload } = result;
  await auditAction(db(), actor, customerId, "upload.create", { type: "upload", id: upload.id }, {
    format: upload.format,
    status: upload.status,
    rowCount: upload.row_count,
    appliedCount: upload.applied_count,
    errorCount: upload.error_count,
    reversedCount: result.reversedCount,
  });
  if (upload.status !== "APPLIED") return;
  try {
    // A run already queued or running for the tenant is reused (detection-runs.ts).
    await enqueueDetectionRun(customerId, { trigger: "UPLOAD", requestedById: actor.userId });
  } catch (error) {
    logger.error({ customerId, uploadId: upload.id, err: error }, "could not queue the detection run after an upload");
  }
}
