import { db } from "@/server/db/client";
import { auditAction, type TActor } from "@/server/lib/actor";
import { logger } from "@/server/lib/logger";
import type { TApplyResult } from "./apply-claim-lines";
import { refreshUnderpayments } from "@/server/services/underpayments/refresh-underpayments";
import { queueDetectionRun } from "./queue-detection-run";

/**
 * Side effects of a finished upload, after its transaction committed: the audit row (ids and
 * counts only) and, when lines were applied, the underpayment worklist refreshed for the upload's
 * lines (new underpayments; corrections that raised an allowed amount recorded as recovered) and
 * a detection run for the tenant.
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
    await refreshUnderpayments(customerId, { uploadId: upload.id });
  } catch (error) {
    logger.error({ customerId, uploadId: upload.id, err: error }, "could not refresh underpayments after an upload");
  }
  try {
    await queueDetectionRun(customerId, actor.userId);
  } catch (error) {
    logger.error({ customerId, uploadId: upload.id, err: error }, "could not queue the detection run after an upload");
  }
}
