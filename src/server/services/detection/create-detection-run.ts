import { db } from "@/server/db/client";
import { detectionRunSelect, toDetectionRun, type TDetectionRun } from "./detection-run-shape";
import { markFailed } from "./execute-detection-run";

/**
 * Inserts a QUEUED run unless the tenant has one in progress. The partial unique index
 * detection_runs_one_in_progress makes a second QUEUED/RUNNING row impossible, so concurrent
 * triggers race on the index, not on a check: the loser gets the run in progress. A run stuck
 * in progress longer than STALE_AFTER_MINUTES (its worker died) is marked FAILED and replaced.
 */
export const STALE_AFTER_MINUTES = 120;

export type TTrigger = "UPLOAD" | "MANUAL" | "SCHEDULED" | "CLI";

export async function createDetectionRun(
  customerId: string,
  trigger: TTrigger,
  requestedById: string | null = null,
): Promise<{ run: TDetectionRun; created: boolean }> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const inserted = await db().$queryRaw<Array<{ id: string }>>`
      INSERT INTO detection_runs (customer_id, trigger, requested_by_id)
      VALUES (${customerId}::uuid, ${trigger}::run_trigger, ${requestedById}::uuid)
      ON CONFLICT (customer_id) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING
      RETURNING id::text AS id`;
    const id = inserted[0]?.id;
    const select = { where: id ? { id } : { customerId, status: { in: ["QUEUED" as const, "RUNNING" as const] } }, select: detectionRunSelect };
    const row = await db().detectionRun.findFirst(select);
    if (id && row) return { run: toDetectionRun(row), created: true };
    if (!row) continue; // the run in progress finished meanwhile: try again
    const since = (row.startedAt ?? row.queuedAt).getTime();
    if (Date.now() - since > STALE_AFTER_MINUTES * 60_000) {
      await markFailed(row.id, new Error(`abandoned: still ${row.status} after ${STALE_AFTER_MINUTES} minutes`));
      continue;
    }
    return { run: toDetectionRun(row), created: false };
  }
  throw new Error("could not create a detection run: the run in progress kept changing");
}
