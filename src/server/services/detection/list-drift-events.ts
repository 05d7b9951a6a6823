import { z } from "zod";
import { tenantReadDb } from "@/server/db/replica";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import {
  driftEventDetailSelect,
  driftEventSelect,
  toDriftEvent,
  toDriftEventDetail,
  ZDriftStatus,
  ZDriftType,
  type TDriftEventDetail,
} from "./drift-event-shape";

/** The tenant's drift events (history included), filterable, searchable, both pagination styles. */

export const ZDriftEventFilters = z.object({
  payerId: z.uuid().optional(),
  cptGroup: z.string().max(32).optional(),
  driftType: ZDriftType.optional(),
  status: ZDriftStatus.optional(),
  minSeverity: z.coerce.number().min(0).max(1).optional(),
  detectedFrom: z.coerce.date().optional().describe("lastDetectedAt >= this"),
  detectedTo: z.coerce.date().optional().describe("lastDetectedAt <= this"),
  firstDetectedFrom: z.coerce.date().optional(),
  firstDetectedTo: z.coerce.date().optional(),
  resolvedFrom: z.coerce.date().optional(),
  resolvedTo: z.coerce.date().optional(),
});
export type TDriftEventFilters = z.infer<typeof ZDriftEventFilters>;

const DRIFT_EVENT_SORT_KEYS = { lastDetectedAt: "timestamp", firstDetectedAt: "timestamp", severity: "number", qValue: "number" } as const;

function range(from?: Date, to?: Date) {
  return from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } : undefined;
}

export async function listDriftEvents(
  customerId: string,
  params: TListParams & TDriftEventFilters,
  options: { defaultOrdering?: "-lastDetectedAt" | "-severity" } = {},
) {
  const scoped = tenantReadDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.payerId) where.payerId = params.payerId;
  if (params.cptGroup) where.cptGroup = params.cptGroup;
  if (params.driftType) where.driftType = params.driftType;
  if (params.status) where.status = params.status;
  if (params.minSeverity !== undefined) where.severity = { gte: params.minSeverity };
  const last = range(params.detectedFrom, params.detectedTo);
  if (last) where.lastDetectedAt = last;
  const first = range(params.firstDetectedFrom, params.firstDetectedTo);
  if (first) where.firstDetectedAt = first;
  const resolved = range(params.resolvedFrom, params.resolvedTo);
  if (resolved) where.resolvedAt = resolved;
  if (params.search) {
    const text = likeLiteral(params.search);
    where.OR = [
      { payer: { name: { contains: text, mode: "insensitive" } } },
      { cptGroup: { contains: text.toUpperCase() } },
      { denialReason: { contains: text.toUpperCase() } },
    ];
  }
  const result = await paginate({
    params,
    where,
    // The resolved ordering (this default included) goes into the cursor: a cursor of the
    // severity-ordered dashboard is refused by the list ordered by detection time.
    sort: { keys: DRIFT_EVENT_SORT_KEYS, fallback: options.defaultOrdering ?? "-lastDetectedAt" },
    findMany: (args) => scoped.driftEvent.findMany({ ...args, select: driftEventSelect }),
    count: (args) => scoped.driftEvent.count(args),
  });
  return { ...result, items: result.items.map(toDriftEvent) };
}

export async function getDriftEvent(customerId: string, id: string): Promise<TDriftEventDetail> {
  const row = await tenantReadDb(customerId).driftEvent.findFirst({ where: { id }, select: driftEventDetailSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such drift event.");
  return toDriftEventDetail(row);
}
