import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { tenantDb, withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { normalizePayerName } from "./normalize-payer-name";

/**
 * Raw payer name -> payer, per tenant (PRODUCT.md §2). Re-mapping a name re-points every claim
 * line that came in under it, in the same transaction, so reports follow the mapping at once.
 * Admin changes are audited (ids only).
 */

export const ZPayerRef = z.object({ id: z.uuid(), name: z.string(), scope: z.enum(["CATALOGUE", "CUSTOMER"]) });

export const ZPayerMapping = z.object({
  id: z.uuid(),
  rawName: z.string(),
  normalizedName: z.string(),
  payer: ZPayerRef,
  claimLineCount: z.number().int().optional(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TPayerMapping = z.infer<typeof ZPayerMapping>;

export const ZPayerMappingFilters = z.object({ payerId: z.uuid().optional() });
export const ZCreatePayerMappingInput = z.strictObject({ rawName: z.string().trim().min(1).max(200), payerId: z.uuid() });
export const ZUpdatePayerMappingInput = z.strictObject({ id: z.uuid(), payerId: z.uuid() });

const mappingSelect = {
  id: true,
  rawName: true,
  normalizedName: true,
  createdAt: true,
  updatedAt: true,
  payer: { select: { id: true, name: true, customerId: true } },
} satisfies Prisma.PayerMappingSelect;

type TMappingRow = Prisma.PayerMappingGetPayload<{ select: typeof mappingSelect }>;

function toMapping(row: TMappingRow): TPayerMapping {
  const { payer, ...rest } = row;
  return { ...rest, payer: { id: payer.id, name: payer.name, scope: payer.customerId ? "CUSTOMER" : "CATALOGUE" } };
}

export async function listPayerMappings(customerId: string, params: TListParams & z.infer<typeof ZPayerMappingFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.payerId) where.payerId = params.payerId;
  if (params.search) where.normalizedName = { contains: likeLiteral(normalizePayerName(params.search)) };
  const result = await paginate({
    params,
    where,
    sort: { keys: { normalizedName: "text", createdAt: "timestamp" }, fallback: "normalizedName" },
    findMany: (args) => scoped.payerMapping.findMany({ ...args, select: mappingSelect }),
    count: (args) => scoped.payerMapping.count(args),
  });
  return { ...result, items: result.items.map(toMapping) };
}

/** The payer must be a catalogue payer or one of this tenant's own. */
async function visiblePayer(tx: TTenantTx, payerId: string) {
  const payer = await tx.payer.findFirst({ where: { id: payerId }, select: { id: true } });
  if (!payer) throw new AppError("NOT_FOUND", "No such payer.", { errors: [{ path: "payerId", message: "no such payer" }] });
}

export function createPayerMapping(customerId: string, actor: TActor, input: z.infer<typeof ZCreatePayerMappingInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    await visiblePayer(tx, input.payerId);
    const normalizedName = normalizePayerName(input.rawName);
    const clash = await tx.payerMapping.findFirst({ where: { normalizedName }, select: { id: true } });
    if (clash) throw new AppError("CONFLICT", "That payer name is already mapped; change the existing mapping instead.");
    const created = await tx.payerMapping.create({
      data: { customerId, rawName: input.rawName, normalizedName, payerId: input.payerId },
      select: mappingSelect,
    });
    await auditAction(tx, actor, customerId, "payer_mapping.create", { type: "payer_mapping", id: created.id }, { payerId: input.payerId });
    return toMapping(created);
  });
}

export function updatePayerMapping(customerId: string, actor: TActor, input: z.infer<typeof ZUpdatePayerMappingInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.payerMapping.findFirst({ where: { id: input.id }, select: { id: true, payerId: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such payer mapping.");
    await visiblePayer(tx, input.payerId);
    const updated = await tx.payerMapping.update({ where: { id: input.id }, data: { payerId: input.payerId }, select: mappingSelect });
    const repointed = await tx.claimLine.updateMany({
      where: { payerMappingId: input.id, payerId: { not: input.payerId } },
      data: { payerId: input.payerId },
    });
    await auditAction(
      tx,
      actor,
      customerId,
      "payer_mapping.update",
      { type: "payer_mapping", id: input.id },
      {
        fromPayerId: current.payerId,
        toPayerId: input.payerId,
        claimLinesRepointed: repointed.count,
      },
    );
    return { ...toMapping(updated), claimLineCount: await tx.claimLine.count({ where: { payerMappingId: input.id } }) };
  });
}

export function deletePayerMapping(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.payerMapping.findFirst({ where: { id }, select: { id: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such payer mapping.");
    const inUse = await tx.claimLine.count({ where: { payerMappingId: id } });
    if (inUse > 0) throw new AppError("CONFLICT", `${inUse} claim line(s) came in under this name; re-map it to another payer instead of deleting it.`);
    await tx.payerMapping.delete({ where: { id } });
    await auditAction(tx, actor, customerId, "payer_mapping.delete", { type: "payer_mapping", id });
    return { id, deleted: true };
  });
}
