import { z } from "zod";
import { tenantDb } from "@/server/db/tenant-scope";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";

/** The tenant's audit log, newest first, filterable by actor, action, resource and time. */

export const ZAuditEventFilters = z.object({
  actor: z.string().max(254).optional().describe("Email or API key prefix (exact)."),
  action: z.string().max(100).optional(),
  resourceType: z.string().max(100).optional(),
  resourceId: z.string().max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

export const ZAuditEvent = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  occurredAt: z.date(),
  actorLabel: z.string(),
  actorUserId: z.string().nullable(),
  actorApiKeyId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  outcome: z.string(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

const auditSelect = {
  id: true,
  seq: true,
  occurredAt: true,
  actorLabel: true,
  actorUserId: true,
  actorApiKeyId: true,
  action: true,
  resourceType: true,
  resourceId: true,
  outcome: true,
  requestId: true,
  details: true,
} as const;

export async function listAuditEvents(customerId: string, params: TListParams & z.infer<typeof ZAuditEventFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.actor) where.actorLabel = params.actor.toLowerCase().startsWith("dl_") ? params.actor : params.actor.toLowerCase();
  if (params.action) where.action = params.action;
  if (params.resourceType) where.resourceType = params.resourceType;
  if (params.resourceId) where.resourceId = params.resourceId;
  if (params.from || params.to) where.occurredAt = { ...(params.from ? { gte: params.from } : {}), ...(params.to ? { lte: params.to } : {}) };
  if (params.search) where.OR = [{ action: { contains: likeLiteral(params.search) } }, { actorLabel: { contains: likeLiteral(params.search) } }];
  const result = await paginate({
    params,
    where,
    sort: { keys: { occurredAt: "timestamp" }, fallback: "-occurredAt" },
    findMany: (args) => scoped.auditEvent.findMany({ ...args, select: auditSelect }),
    count: (args) => scoped.auditEvent.count(args),
  });
  return {
    ...result,
    items: result.items.map((row) => ({ ...row, seq: Number(row.seq), details: (row.details ?? {}) as Record<string, unknown> })),
  };
}
