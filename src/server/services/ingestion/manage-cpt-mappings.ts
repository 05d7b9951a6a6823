import { z } from "zod";
import { tenantDb, withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { CPT_GROUP_CODES, cptGroupFor } from "./cpt-groups";

/**
 * Per-tenant CPT code -> group overrides (PRODUCT.md §2). Creating, changing or deleting one
 * re-groups the tenant's existing lines of that code in the same transaction (deleting falls
 * back to the standard range). Admin changes are audited.
 */

const ZGroupCode = z.enum(CPT_GROUP_CODES);
const ZCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[0-9A-Z]{5}$/, "a CPT/HCPCS code: 5 letters or digits");

export const ZCptMapping = z.object({
  id: z.uuid(),
  cptCode: z.string(),
  groupCode: z.string(),
  defaultGroupCode: z.string().describe("The group the standard code ranges give."),
  claimLinesRegrouped: z.number().int().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TCptMapping = z.infer<typeof ZCptMapping>;

export const ZCptMappingFilters = z.object({ groupCode: ZGroupCode.optional() });
export const ZCreateCptMappingInput = z.strictObject({ cptCode: ZCode, groupCode: ZGroupCode });
export const ZUpdateCptMappingInput = z.strictObject({ id: z.uuid(), groupCode: ZGroupCode });

const select = { id: true, cptCode: true, groupCode: true, createdAt: true, updatedAt: true } as const;

function toMapping(row: { id: string; cptCode: string; groupCode: string; createdAt: Date; updatedAt: Date }): TCptMapping {
  return { ...row, defaultGroupCode: cptGroupFor(row.cptCode) };
}

export async function listCptMappings(customerId: string, params: TListParams & z.infer<typeof ZCptMappingFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.groupCode) where.groupCode = params.groupCode;
  if (params.search) where.cptCode = { startsWith: likeLiteral(params.search.toUpperCase()) };
  const result = await paginate({
    params,
    where,
    sort: { keys: { cptCode: "text", createdAt: "timestamp" }, fallback: "cptCode" },
    findMany: (args) => scoped.cptMapping.findMany({ ...args, select }),
    count: (args) => scoped.cptMapping.count(args),
  });
  return { ...result, items: result.items.map(toMapping) };
}

async function regroup(tx: TTenantTx, cptCode: string, groupCode: string): Promise<number> {
  const result = await tx.claimLine.updateMany({ where: { cptCode, cptGroup: { not: groupCode } }, data: { cptGroup: groupCode } });
  return result.count;
}

export function createCptMapping(customerId: string, actor: TActor, input: z.infer<typeof ZCreateCptMappingInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    const clash = await tx.cptMapping.findFirst({ where: { cptCode: input.cptCode }, select: { id: true } });
    if (clash) throw new AppError("CONFLICT", "That code already has an override; change it instead.");
    const created = await tx.cptMapping.create({ data: { customerId, cptCode: input.cptCode, groupCode: input.groupCode }, select });
    const regrouped = await regroup(tx, input.cptCode, input.groupCode);
    await auditAction(
      tx,
      actor,
      customerId,
      "cpt_mapping.create",
      { type: "cpt_mapping", id: created.id },
      { cptCode: input.cptCode, groupCode: input.groupCode, claimLinesRegrouped: regrouped },
    );
    return { ...toMapping(created), claimLinesRegrouped: regrouped };
  });
}

export function updateCptMapping(customerId: string, actor: TActor, input: z.infer<typeof ZUpdateCptMappingInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.cptMapping.findFirst({ where: { id: input.id }, select: { id: true, groupCode: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such CPT mapping.");
    const updated = await tx.cptMapping.update({ where: { id: input.id }, data: { groupCode: input.groupCode }, select });
    const regrouped = await regroup(tx, updated.cptCode, input.groupCode);
    await auditAction(
      tx,
      actor,
      customerId,
      "cpt_mapping.update",
      { type: "cpt_mapping", id: input.id },
      { from: current.groupCode, to: input.groupCode, claimLinesRegrouped: regrouped },
    );
    return { ...toMapping(updated), claimLinesRegrouped: regrouped };
  });
}

export function deleteCptMapping(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.cptMapping.findFirst({ where: { id }, select: { id: true, cptCode: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such CPT mapping.");
    await tx.cptMapping.delete({ where: { id } });
    const regrouped = await regroup(tx, current.cptCode, cptGroupFor(current.cptCode));
    await auditAction(tx, actor, customerId, "cpt_mapping.delete", { type: "cpt_mapping", id }, { cptCode: current.cptCode, claimLinesRegrouped: regrouped });
    return { id, deleted: true, claimLinesRegrouped: regrouped };
  });
}
