import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { enqueueRun, executeRun, runJob, type TRunKind } from "@/server/jobs/run-lifecycle";
import type { TJobRegistration } from "@/server/jobs/worker";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { observeDetectionRun } from "@/server/lib/metrics";
import { getSettings } from "@/server/services/settings/settings";
import { computeWindows, toIsoDay, type TWindows } from "./compute-windows";
import { detectionRunSelect, toDetectionRun, type TDetectionRun } from "./detection-run-shape";
import { enqueueRunCompletedWebhooks } from "./lifecycle-webhooks";
import type { TDriftEventsChangedHook } from "./on-drift-events-changed";
import { runDetection } from "./run-detection";

/**
 * A detection run's life, on the shared run lifecycle (src/server/jobs/run-lifecycle.ts):
 *
 *   createDetectionRun     a QUEUED row, at most one QUEUED/RUNNING per tenant
 *   enqueueDetectionRun    create + job (uploads, the API's trigger, the daily schedule)
 *   executeDetectionRun    claim + runDetection + SUCCEEDED, or FAILED (the worker, the CLI)
 *   runDetectionNow        create + execute in this process (`driftline run-detection`)
 *   markDetectionRunFailed FAILED with its run.completed outbox rows
 *
 * The detection pass itself (aggregate, test, write events) is runDetection in run-detection.ts.
 */

export type TTrigger = "UPLOAD" | "MANUAL" | "SCHEDULED" | "CLI";

/** A run in progress longer than this (its worker died) is failed and replaced, and swept. */
export const STALE_AFTER_MINUTES = 120;

export const DETECTION_RUN_QUEUE = "detection-run";
export const DETECTION_DAILY_QUEUE = "detection-daily";
/** Every day at 03:15 UTC. */
export const DETECTION_DAILY_CRON = "15 3 * * *";

interface TExecuteOptions {
  asOf?: Date | string;
  onChanged?: TDriftEventsChangedHook;
}

interface TClaimedRun {
  id: string;
  customerId: string;
  windows: TWindows;
}

export const DETECTION_RUN: TRunKind<TClaimedRun, TExecuteOptions> = {
  label: "detection run",
  table: "detection_runs",
  queuedAtColumn: "queued_at",
  queue: DETECTION_RUN_QUEUE,
  expireInSeconds: 3600,
  staleAfterMinutes: STALE_AFTER_MINUTES,
  async claim(id, options) {
    const queued = await db().detectionRun.findUnique({ where: { id }, select: { customerId: true, status: true } });
    if (!queued || queued.status !== "QUEUED") return null;
    // Settings that yield no windows fail the run before it is claimed (executeRun records it).
    const windows = computeWindows(options.asOf ?? new Date(), await getSettings(queued.customerId));
    const claimed = await db().$executeRaw`
      UPDATE detection_runs SET status = 'RUNNING', started_at = greatest(clock_timestamp(), queued_at),
        baseline_start = ${windows.baselineStart}::date, baseline_end = ${windows.baselineEnd}::date,
        current_start = ${windows.currentStart}::date, current_end = ${windows.currentEnd}::date
      WHERE id = ${id}::uuid AND status = 'QUEUED'`;
    return claimed === 1 ? { id, customerId: queued.customerId, windows } : null;
  },
  async execute(run, options) {
    // The events, the alert hook's writes and the SUCCEEDED record share one transaction, so a
    // failed run has changed nothing but its own row (and its run.completed outbox rows).
    await runDetection(run.customerId, { runId: run.id, windows: run.windows, onChanged: options.onChanged });
  },
  fail: (id, error) => markDetectionRunFailed(id, error),
};

/**
 * Inserts a QUEUED run unless the tenant has one in progress. The partial unique index
 * detection_runs_one_in_progress makes a second QUEUED/RUNNING row impossible, so concurrent
 * triggers race on the index, not on a check: the loser gets the run in progress. A run stuck
 * in progress longer than STALE_AFTER_MINUTES (its worker died) is marked FAILED and replaced
 * at once, without waiting for the sweep.
 */
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
      await markDetectionRunFailed(row.id, new Error(`abandoned: still ${row.status} after ${STALE_AFTER_MINUTES} minutes`));
      continue;
    }
    return { run: toDetectionRun(row), created: false };
  }
  throw new Error("could not create a detection run: the run in progress kept changing");
}

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
  // A failed send records the run FAILED (it would block the tenant's next runs) and throws.
  if (created) await enqueueRun(DETECTION_RUN, run.id);
  // A run read as in progress a moment ago is reported as such even if it has just finished.
  const status = run.status === "RUNNING" ? "RUNNING" : "QUEUED";
  return { ...run, status, created };
}

/**
 * Executes a QUEUED run (the worker's job handler and the CLI call this) and returns it as it
 * ended. A run that is not QUEUED (taken by another worker, or finished) is left alone.
 */
export async function executeDetectionRun(runId: string, options: TExecuteOptions = {}): Promise<TDetectionRun | null> {
  const startedAt = performance.now();
  const executed = await executeRun(DETECTION_RUN, runId, options);
  const run = await loadRun(runId);
  if (executed) observeDetectionRun(run, (performance.now() - startedAt) / 1000);
  return run;
}

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

async function loadRun(runId: string): Promise<TDetectionRun | null> {
  const row = await db().detectionRun.findUnique({ where: { id: runId }, select: detectionRunSelect });
  return row ? toDetectionRun(row) : null;
}

/**
 * Records a run FAILED (unless it has already finished) and, in the same transaction, its
 * run.completed outbox rows: the run's changes rolled back, but its end is still announced.
 */
export async function markDetectionRunFailed(runId: string, error: unknown): Promise<void> {
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

/** Queues a SCHEDULED run for every tenant, a page of customers at a time (platform path). */
export async function enqueueAllTenants(): Promise<number> {
  let after: string | undefined;
  let count = 0;
  for (;;) {
    const customers = await db().customer.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: "asc" },
      take: 500,
      select: { id: true },
    });
    for (const customer of customers) {
      try {
        await enqueueDetectionRun(customer.id, { trigger: "SCHEDULED" });
        count += 1;
      } catch (error) {
        logger.error({ customerId: customer.id, err: error }, "could not queue the scheduled detection run");
      }
    }
    if (customers.length < 500) return count;
    after = customers.at(-1)?.id;
  }
}

/**
 * Detection on the job queue: one job per queued run, and a daily scheduled job that queues a
 * run for every tenant (pg-boss's cron runs it once per schedule across all workers).
 */
export const DETECTION_JOBS: TJobRegistration[] = [
  runJob(DETECTION_RUN, { pollingIntervalSeconds: 2 }, (id) => executeDetectionRun(id)),
  {
    name: DETECTION_DAILY_QUEUE,
    options: { batchSize: 1, pollingIntervalSeconds: 30 },
    cron: DETECTION_DAILY_CRON,
    handler: async () => {
      const count = await enqueueAllTenants();
      logger.info({ count }, "scheduled detection runs queued");
    },
  },
];
