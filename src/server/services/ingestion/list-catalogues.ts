import { z } from "zod";
import { db } from "@/server/db/client";
import { tenantDb } from "@/server/db/tenant-scope";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { ZPayerRef } from "./manage-payer-mappings";

/**
 * The catalogues a tenant sees: payers (the shared catalogue plus the tenant's own raw payers,
 * created by uploads until an admin maps them) and the CPT groups (codes and names only; the
 * ranges live in cpt-groups.ts and CPT descriptions are never shipped).
 */

export const ZPayerFilters = z.object({ scope: z.enum(["CATALOGUE", "CUSTOMER"]).optional() });

export async function listPayers(customerId: string, params: TListParams & z.infer<typeof ZPayerFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.scope) where.customerId = params.scope === "CATALOGUE" ? null : customerId;
  if (params.search) where.name = { contains: likeLiteral(params.search), mode: "insensitive" };
  const result = await paginate({
    params,
    where,
    sort: { keys: { name: "text", createdAt: "timestamp" }, fallback: "name" },
    findMany: (args) => scoped.payer.findMany({ ...args, select: { id: true, name: true, customerId: true, createdAt: true } }),
    count: (args) => scoped.payer.count(args),
  });
  return {
    ...result,
    items: result.items.map((payer) => ({ id: payer.id, name: payer.name, scope: payer.customerId ? ("CUSTOMER" as const) : ("CATALOGUE" as const) })),
  };
}

export const ZCptGroup = z.object({ code: z.string(), name: z.string(), sortOrder: z.number().int() });

/** A fixed catalogue of a few dozen rows: returned whole. */
export async function listCptGroups() {
  const items = await db().cptGroup.findMany({ orderBy: { sortOrder: "asc" }, select: { code: true, name: true, sortOrder: true }, take: 500 });
  return { items };
}

export { ZPayerRef };
