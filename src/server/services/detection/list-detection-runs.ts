import { z } from "zod";
import { tenantDb } from "@/server/db/tenant-scope";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { detectionRunSelect, toDetectionRun, ZRunStatus, ZRunTrigger, type TDetectionRun } from "./detection-run-shape";

/** The tenant's detection runs ("reports"), newest first. */

export const ZDetectionRunFilters = z.object({
  status: ZRunStatus.optional(),
  trigger: ZRunTrigger.optional(),
  queuedFrom: z.coerce.date().optional(),
  queuedTo: z.coerce.date().optional(),
});

export async function listDetectionRuns(customerId: string, params: TListParams & z.infer<typeof ZDetectionRunFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.status) where.status = params.status;
  if (params.trigger) where.trigger = params.trigger;
  if (params.queuedFrom || params.queuedTo) {
    where.queuedAt = { ...(params.queuedFrom ? { gte: params.queuedFrom } : {}), ...(params.queuedTo ? { lte: params.queuedTo } : {}) };
  }
  if (params.search) where.error = { contains: likeLiteral(params.search), mode: "insensitive" };
  const result = await paginate({
    params,
    where,
    sort: { keys: { queuedAt: "timestamp" }, fallback: "-queuedAt" },
    findMany: (args) => scoped.detectionRun.findMany({ ...args, select: detectionRunSelect }),
    count: (args) => scoped.detectionRun.count(args),
  });
  return { ...result, items: result.items.map(toDetectionRun) };
}

export async function getDetectionRun(customerId: string, id: string): Promise<TDetectionRun> {
  const row = await tenantDb(customerId).detectionRun.findFirst({ where: { id }, select: detectionRunSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such detection run.");
  return toDetectionRun(row);
}
