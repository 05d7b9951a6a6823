import { db } from "@/server/db/client";
import { readFromReplica } from "@/server/db/replica";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { enqueueRun, executeRun, runJob, type TRunKind } from "@/server/jobs/run-lifecycle";
import type { TJobRegistration } from "@/server/jobs/worker";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { exportFilename, exportSelect, toExport, ZExportSpec, type TCreateExportInput, type TCreateExportRequest, type TExport } from "./export-shape";
import { writeExport } from "./export-writers";

/**
 * Exports run on the shared run lifecycle (src/server/jobs/run-lifecycle.ts): the request
 * writes a QUEUED row and a job, any worker claims and generates the CSV (progress written to
 * the row as it goes) and stores it on the row; the download streams it back in slices. A row
 * whose job could not be sent, or whose worker died, is FAILED (at once, or by the sweep), so
 * nobody polls it forever. Claim-line exports are PHI: creating and downloading one is audited
 * (ids and counts only).
 */
export const EXPORT_QUEUE = "export-generate";

const PHI_KINDS = new Set<TCreateExportInput["kind"]>(["CLAIMS"]);

interface TClaimedExport {
  id: string;
  customerId: string;
  kind: string;
  params: unknown;
}

export const EXPORT_RUN: TRunKind<TClaimedExport> = {
  label: "export",
  table: "exports",
  queuedAtColumn: "created_at",
  queue: EXPORT_QUEUE,
  expireInSeconds: 1800,
  // Twice the job's expiry: by then pg-boss has long given the job up.
  staleAfterMinutes: 60,
  async claim(id) {
    const claimed = await db().export.updateManyAndReturn({
      where: { id, status: "QUEUED" },
      data: { status: "RUNNING", startedAt: new Date(), progress: 0 },
      select: { id: true, customerId: true, kind: true, params: true },
    });
    return claimed[0] ?? null;
  },
  async execute(row) {
    const scoped = tenantDb(row.customerId);
    let lastWritten = 0;
    const progress = async (fraction: number) => {
      // A write per 5 % step at most: progress is for people, not a per-page ledger.
      if (fraction - lastWritten < 0.05) return;
      lastWritten = fraction;
      await scoped.export.updateMany({ where: { id: row.id, status: "RUNNING" }, data: { progress: Math.min(Math.max(fraction, 0), 1) } });
    };
    const input = ZExportSpec.parse({ kind: row.kind, params: row.params });
    // The rows are read on the replica when it is caught up; progress and the result go to the primary.
    const output = await readFromReplica(row.customerId, () => writeExport(row.customerId, input, progress));
    const finished = await scoped.export.updateMany({
      where: { id: row.id, status: "RUNNING" },
      data: { status: "SUCCEEDED", progress: 1, rowCount: output.rowCount, content: output.content, finishedAt: new Date() },
    });
    if (finished.count !== 1) throw new Error(`export ${row.id} is no longer RUNNING`);
  },
  async fail(id, error) {
    const message = error instanceof AppError ? error.message : "The export could not be generated; try again.";
    await db().export.updateMany({
      where: { id, status: { in: ["QUEUED", "RUNNING"] } },
      data: { status: "FAILED", error: message, finishedAt: new Date() },
    });
  },
};

export async function createExport(customerId: string, actor: TActor, request: TCreateExportRequest): Promise<TExport> {
  const input: TCreateExportInput = ZExportSpec.parse({ kind: request.kind, params: request.params ?? {} });
  const containsPhi = PHI_KINDS.has(input.kind);
  const row = await withTenantTransaction(customerId, async (tx) => {
    const created = await tx.export.create({
      data: { customerId, kind: input.kind, params: input.params, containsPhi, requestedById: actor.userId },
      select: exportSelect,
    });
    if (containsPhi)
      await auditAction(tx, actor, customerId, "export.create", { type: "export", id: created.id }, { kind: input.kind, filters: Object.keys(input.params) });
    return created;
  });
  // A failed send records the export FAILED and throws: the caller gets an error, not a QUEUED row for ever.
  await enqueueRun(EXPORT_RUN, row.id);
  return toExport(row);
}

export async function getExport(customerId: string, id: string): Promise<TExport> {
  const row = await tenantDb(customerId).export.findFirst({ where: { id }, select: exportSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such export.");
  return toExport(row);
}

/** The job: generate one export; only a QUEUED row is taken, so a redelivered job does nothing twice. */
export async function runExport(exportId: string): Promise<void> {
  await executeRun(EXPORT_RUN, exportId, undefined);
}

export const EXPORT_JOBS: TJobRegistration[] = [runJob(EXPORT_RUN, { pollingIntervalSeconds: 1 })];

const SLICE_CHARS = 256 * 1024;

export interface TExportDownload {
  filename: string;
  rowCount: number;
  stream: ReadableStream<Uint8Array>;
}

/**
 * Opens a finished export for download: the CSV is read from the row in slices as the client
 * consumes it, so a large export never sits in memory whole. PHI exports are audited.
 */
export async function openExportDownload(customerId: string, actor: TActor, id: string): Promise<TExportDownload> {
  const scoped = tenantDb(customerId);
  const row = await scoped.export.findFirst({
    where: { id },
    select: { id: true, kind: true, status: true, containsPhi: true, rowCount: true, createdAt: true },
  });
  if (!row) throw new AppError("NOT_FOUND", "No such export.");
  if (row.status !== "SUCCEEDED") throw new AppError("CONFLICT", `The export is ${row.status.toLowerCase()}; download it once it has SUCCEEDED.`);
  if (row.containsPhi) await auditAction(db(), actor, customerId, "export.download", { type: "export", id: row.id }, { kind: row.kind, rows: row.rowCount });
  const encoder = new TextEncoder();
  let offset = 1;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const slice = await scoped.$queryRaw<{ part: string | null }[]>`
        SELECT substr(content, ${offset}::int, ${SLICE_CHARS}::int) AS part FROM exports WHERE id = ${row.id}::uuid AND customer_id = ${customerId}::uuid`;
      const part = slice[0]?.part ?? "";
      offset += SLICE_CHARS;
      if (part.length > 0) controller.enqueue(encoder.encode(part));
      if (part.length < SLICE_CHARS) controller.close();
    },
  });
  return { filename: exportFilename(row.kind, row.createdAt), rowCount: row.rowCount, stream };
}
