import { Prisma } from "@/generated/prisma/client";
import { db } from "@/server/db/client";
import { logger } from "@/server/lib/logger";
import { ensureQueue, queue } from "./queue";
import type { TJobRegistration } from "./worker";

/**
 * One life for every background run (detection runs, exports), so no kind can skip a step:
 *
 *   queue    the request commits a QUEUED row, then sends one job naming it (`enqueueRun`);
 *            a send that fails records the row FAILED at once, never a QUEUED row nobody takes
 *   claim    a worker moves the row QUEUED -> RUNNING in one conditional UPDATE; a redelivered
 *            job or a second worker finds nothing to claim and does nothing (`executeRun`)
 *   execute  the kind's work; it records SUCCEEDED (with its results) only while still RUNNING
 *   fail     any error records FAILED with the reason, if the row is still QUEUED or RUNNING
 *   sweep    rows left QUEUED (the job was lost between commit and send) or RUNNING (the worker
 *            died) past the kind's stale limit are recorded FAILED (`sweepStaleRuns`, a cron job
 *            on every worker serving `run-sweep`), so nobody waits on them forever
 *
 * Each kind brings its own claim, work and failure record (detection writes its run.completed
 * outbox rows with the FAILED record); this file owns the order and the sweep. Platform path:
 * the worker acts on a row by id for whichever tenant owns it.
 */
export interface TRunKind<TClaimed, TOptions = void> {
  /** For logs and errors: "detection run", "export". */
  label: string;
  /** The table of the runs; it has `status` (QUEUED, RUNNING, SUCCEEDED, FAILED) and `started_at`. */
  table: "detection_runs" | "exports";
  /** The column holding when the row was queued. */
  queuedAtColumn: "queued_at" | "created_at";
  queue: string;
  /** pg-boss expiry of one job: a handler still running after it counts as lost. */
  expireInSeconds: number;
  /** A row QUEUED or RUNNING for longer than this is swept FAILED. */
  staleAfterMinutes: number;
  /** QUEUED -> RUNNING, only if still QUEUED; null when there was nothing to claim. */
  claim(id: string, options: TOptions): Promise<TClaimed | null>;
  /** Does the work and records SUCCEEDED only while the row is still RUNNING (else throws). */
  execute(claimed: TClaimed, options: TOptions): Promise<void>;
  /** Records FAILED with the reason unless the row has already finished. */
  fail(id: string, error: unknown): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TAnyRunKind = TRunKind<any, any>;

/** Hands a committed QUEUED row to the workers; if that fails, the row is FAILED and the error rethrown. */
export async function enqueueRun(kind: TAnyRunKind, id: string): Promise<void> {
  try {
    const boss = await queue();
    await ensureQueue(kind.queue);
    // No pg-boss retries: the row records its own failure; a new request starts a new run.
    const jobId = await boss.send(kind.queue, { id }, { retryLimit: 0, expireInSeconds: kind.expireInSeconds });
    if (!jobId) throw new Error(`the job queue refused the ${kind.label} job`);
  } catch (error) {
    // Never leave a QUEUED row no job will pick up: its caller would poll it forever.
    await kind.fail(id, new Error(`could not queue the job: ${error instanceof Error ? error.message : String(error)}`));
    throw error;
  }
}

/**
 * Claims and executes one run; any error records it FAILED. Returns false when the row was not
 * QUEUED (taken by another worker, finished, or swept), in which case nothing was done.
 */
export async function executeRun<TClaimed, TOptions>(kind: TRunKind<TClaimed, TOptions>, id: string, options: TOptions): Promise<boolean> {
  let claimed: TClaimed | null;
  try {
    claimed = await kind.claim(id, options);
  } catch (error) {
    await kind.fail(id, error);
    return true;
  }
  if (claimed === null) return false;
  try {
    await kind.execute(claimed, options);
  } catch (error) {
    logger.error({ run: kind.label, id, err: error }, `${kind.label} failed`);
    await kind.fail(id, error);
  }
  return true;
}

/** Fails every run of these kinds left QUEUED or RUNNING past its stale limit; returns how many. */
export async function sweepStaleRuns(kinds: readonly TAnyRunKind[]): Promise<number> {
  let swept = 0;
  for (const kind of kinds) {
    const stale = await db().$queryRaw<{ id: string; status: string }[]>`
      SELECT id::text AS id, status::text AS status FROM ${Prisma.raw(kind.table)}
      WHERE status IN ('QUEUED', 'RUNNING')
        AND coalesce(started_at, ${Prisma.raw(kind.queuedAtColumn)}) < clock_timestamp() - make_interval(mins => ${kind.staleAfterMinutes}::int)
      ORDER BY id`;
    for (const row of stale) {
      await kind.fail(row.id, new Error(`abandoned: still ${row.status} after ${kind.staleAfterMinutes} minutes`));
      swept += 1;
    }
    if (stale.length > 0) logger.warn({ run: kind.label, count: stale.length }, `stale ${kind.label}s failed`);
  }
  return swept;
}

/** The worker registration of a kind: one job per run, claimed at most once. */
export function runJob<TClaimed>(kind: TRunKind<TClaimed, void>, options: { pollingIntervalSeconds: number }): TJobRegistration;
export function runJob<TClaimed, TOptions>(
  kind: TRunKind<TClaimed, TOptions>,
  options: { pollingIntervalSeconds: number },
  handle: (id: string) => Promise<unknown>,
): TJobRegistration;
export function runJob<TClaimed, TOptions>(
  kind: TRunKind<TClaimed, TOptions>,
  options: { pollingIntervalSeconds: number },
  handle: (id: string) => Promise<unknown> = (id) => executeRun(kind, id, undefined as TOptions),
): TJobRegistration {
  return {
    name: kind.queue,
    options: { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds },
    // Jobs sent before the lifecycle named the row `id` carried `runId` / `exportId`.
    handler: async (jobs: { data: { id?: string; runId?: string; exportId?: string } }[]) => {
      for (const job of jobs) {
        const id = job.data.id ?? job.data.runId ?? job.data.exportId;
        if (id) await handle(id);
      }
    },
  };
}

export const RUN_SWEEP_QUEUE = "run-sweep";
/** Every five minutes: one pass across all workers (pg-boss sends one job per tick). */
export const RUN_SWEEP_CRON = "*/5 * * * *";

/** The cron job that sweeps every kind of run (the worker lists the kinds). */
export function runSweepJob(kinds: readonly TAnyRunKind[]): TJobRegistration {
  return {
    name: RUN_SWEEP_QUEUE,
    cron: RUN_SWEEP_CRON,
    options: { batchSize: 1, pollingIntervalSeconds: 30 },
    handler: async () => void (await sweepStaleRuns(kinds)),
  };
}
