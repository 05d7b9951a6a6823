import { z } from "zod";
import { tenantReadDb } from "@/server/db/replica";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import type { TRowError } from "./parse/row-error";
import { ZUpload, type TUpload } from "./upload-row";

/** Reading uploads: the list (without row errors), one upload with its errors, and totals. */

export const ZUploadSummary = ZUpload.omit({ errors: true, skipped: true, warnings: true });

export const ZUploadFilters = z.object({
  status: z.enum(["PROCESSING", "APPLIED", "REJECTED"]).optional(),
  format: z.enum(["CSV", "X12_835", "JSON"]).optional(),
});

const summarySelect = {
  id: true,
  filename: true,
  format: true,
  sizeBytes: true,
  contentHash: true,
  status: true,
  rowCount: true,
  appliedCount: true,
  errorCount: true,
  skippedCount: true,
  warningCount: true,
  createdAt: true,
  completedAt: true,
} as const;

type TSummaryRow = { sizeBytes: bigint } & Omit<TUpload, "sizeBytes" | "errors" | "skipped" | "warnings">;

function summary(row: TSummaryRow) {
  return { ...row, sizeBytes: Number(row.sizeBytes) };
}

export async function listUploads(customerId: string, params: TListParams & z.infer<typeof ZUploadFilters>) {
  const scoped = tenantReadDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.status) where.status = params.status;
  if (params.format) where.format = params.format;
  if (params.search) where.filename = { contains: likeLiteral(params.search), mode: "insensitive" };
  const result = await paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp", filename: "text" }, fallback: "-createdAt" },
    findMany: (args) => scoped.upload.findMany({ ...args, select: summarySelect }),
    count: (args) => scoped.upload.count(args),
  });
  return { ...result, items: result.items.map(summary) };
}

export async function getUpload(customerId: string, id: string): Promise<TUpload> {
  const row = await tenantReadDb(customerId).upload.findFirst({
    where: { id },
    select: { ...summarySelect, errors: true, skipped: true, warnings: true },
  });
  if (!row) throw new AppError("NOT_FOUND", "No such upload.");
  const { errors, skipped, warnings, ...rest } = row;
  return {
    ...summary(rest),
    errors: errors as unknown as TRowError[],
    skipped: skipped as unknown as TRowError[],
    warnings: warnings as unknown as TRowError[],
  };
}

export const ZUploadStats = z.object({
  uploads: z.number().int(),
  applied: z.number().int(),
  rejected: z.number().int(),
  processing: z.number().int(),
  rows: z.number().int().describe("Data rows read across all uploads."),
  appliedLines: z.number().int().describe("Claim lines inserted or changed by uploads."),
  rowErrors: z.number().int(),
  bytes: z.number().int(),
  claimLines: z.number().int().describe("Claim lines stored for this customer now."),
  lastUploadAt: z.date().nullable(),
});

export async function uploadStats(customerId: string): Promise<z.infer<typeof ZUploadStats>> {
  const scoped = tenantReadDb(customerId);
  const [byStatus, claimLines] = await Promise.all([
    scoped.upload.groupBy({
      by: ["status"],
      _count: { _all: true },
      _sum: { rowCount: true, appliedCount: true, errorCount: true, sizeBytes: true },
      _max: { createdAt: true },
    }),
    scoped.claimLine.count(),
  ]);
  const stats = {
    uploads: 0,
    applied: 0,
    rejected: 0,
    processing: 0,
    rows: 0,
    appliedLines: 0,
    rowErrors: 0,
    bytes: 0,
    claimLines,
    lastUploadAt: null as Date | null,
  };
  for (const group of byStatus) {
    const count = group._count._all;
    stats.uploads += count;
    if (group.status === "APPLIED") stats.applied += count;
    if (group.status === "REJECTED") stats.rejected += count;
    if (group.status === "PROCESSING") stats.processing += count;
    stats.rows += group._sum.rowCount ?? 0;
    stats.appliedLines += group._sum.appliedCount ?? 0;
    stats.rowErrors += group._sum.errorCount ?? 0;
    stats.bytes += Number(group._sum.sizeBytes ?? 0);
    const last = group._max.createdAt;
    if (last && (!stats.lastUploadAt || last > stats.lastUploadAt)) stats.lastUploadAt = last;
  }
  return stats;
}
