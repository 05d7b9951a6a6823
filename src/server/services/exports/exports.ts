import { db } from "@/server/db/client";
import { readFromReplica } from "@/server/db/replica";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { ensureQueue, queue } from "@/server/jobs/queue";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { exportFilename, exportSelect, toExport, ZExportSpec, type TCreateExportInput, type TCreateExportRequest, type TExport } from "./export-shape";
import { writeExport } from "./export-writers";

/**
 * Exports run as jobs on the shared queue: the request writes a QUEUED row and a job, any
 * worker generates the CSV (progress written to the row as it goes) and stores it on the row;
 * the download streams it back in slices. Claim-line exports are PHI: creating and downloading
 * one is audited (ids and counts only).
 */

export const EXPORT_QUEUE = "export-generate";
const PHI_KINDS = new Set<TCreateExportInput["kind"]>(["CLAIMS"]);

export async function sendExportJob(exportId: string): Promise<void> {
  const boss = await queue();
  await ensureQueue(EXPORT_QUEUE);
  // No pg-boss retries: the row records a failure; the caller asks for a new export.
  await boss.send(EXPORT_QUEUE, { exportId }, { retryLimit: 0, expireInSeconds: 1800 });
}

export async function createExport(customerId: string, actor: TActor, request: TCreateExportRequest): Promise<TExport> {
  const input: TCreateExportInput = ZExportSpec.parse({ kind: request.kind, params: request.params ?? {} });
  const containsPhi = PHI_KINDS.has(input.kind);
  const row = await withTenantTransaction(customerId, async (tx) => {
    const created = await tx.export.create({
      data: { customerId, kind: input.kind, params: input.params, containsPhi, requestedById: actor.userId },
      select: exportSelect,
    });
    if (containsPhi) await auditAction(tx, actor, customerId, "export.create", { type: "export", id: created.id }, { kind: input.kind, filters: Object.keys(input.params) });
    return created;
  });
  await sendExportJob(row.id);
  return toExport(row);
}

export async function getExport(customerId: string, id: string): Promise<TExport> {
  const row = await tenantDb(customerId).export.findFirst({ where: { id }, select: exportSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such export.");
  return toExport(row);
}

/** The job: generate one export. Platform path (the worker acts for the row's customer). */
export async function runExport(exportId: string): Promise<void> {
  // Take the row only if it is still queued, so a redelivered job does nothing twice.
  const claimed = await db().export.updateManyAndReturn({
    where: { id: exportId, status: "QUEUED" },
    data: { status: "RUNNING", startedAt: new Date(), progress: 0 },
    select: { id: true, customerId: true, kind: true, params: true },
  });
  const row = claimed[0];
  if (!row) return;
  const scoped = tenantDb(row.customerId);
  let lastWritten = 0;
  const progress = async (fraction: number) => {
    // A write per 5 % step at most: progress is for people, not a per-page ledger.
    if (fraction - lastWritten < 0.05) return;
    lastWritten = fraction;
    await scoped.export.updateMany({ where: { id: row.id }, data: { progress: Math.min(Math.max(fraction, 0), 1) } });
  };
  try {
    const input = ZExportSpec.parse({ kind: row.kind, params: row.params });
    // The rows are read on the replica when it is caught up; progress and the result go to the primary.
    const output = await readFromReplica(row.customerId, () => writeExport(row.customerId, input, progress));
    await scoped.export.updateMany({
      where: { id: row.id },
      data: { status: "SUCCEEDED", progress: 1, rowCount: output.rowCount, content: output.content, finishedAt: new Date() },
    });
  } catch (error) {
    logger.error({ exportId, err: error }, "export failed");
    const message = error instanceof AppError ? error.message : "The export could not be generated; try again.";
    await scoped.export.updateMany({ where: { id: row.id }, data: { status: "FAILED", error: message, finishedAt: new Date() } });
  }
}

export const EXPORT_JOBS = [
  {
    name: EXPORT_QUEUE,
    options: { batchSize: 1, pollingIntervalSeconds: 1 },
    handler: async (jobs: { data: { exportId: string } }[]) => {
      for (const job of jobs) await runExport(job.data.exportId);
    },
  },
];

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
  const row = await scoped.export.findFirst({ where: { id }, select: { id: true, kind: true, status: true, containsPhi: true, rowCount: true, createdAt: true } });
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
