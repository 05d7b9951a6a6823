import { AppError } from "@/server/lib/errors";
import { createDetectionRun } from "./create-detection-run";
import type { TDetectionRun } from "./detection-run-shape";
import { executeDetectionRun } from "./execute-detection-run";
import { toIsoDay } from "./compute-windows";

/** `driftline run-detection`: a CLI run, executed synchronously in this process. */
export async function runDetectionNow(customerId: string, asOf?: string): Promise<TDetectionRun> {
  if (asOf !== undefined) {
    try {
      toIsoDay(asOf);
    } catch {
      throw new AppError("BAD_REQUEST", `--as-of must be a YYYY-MM-DD date, got "${asOf}"`);
    }
  }
  const { run, created } = await createDetectionRun(customerId, "CLI");
  if (!created) throw new AppError("CONFLICT", `a detection run is already ${run.status.toLowerCase()} for this customer (run ${run.id})`);
  const finished = await executeDetectionRun(run.id, { asOf });
  if (!finished) throw new AppError("INTERNAL", `run ${run.id} disappeared`);
  return finished;
}
