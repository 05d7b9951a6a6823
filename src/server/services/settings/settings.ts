import { z } from "zod";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { fieldError } from "@/server/lib/errors";

/** Detection settings of a tenant (PRODUCT.md §3); the database CHECKs mirror these bounds. */
export const ZSettings = z.object({
  baselineDays: z.number().int().min(14).max(730),
  currentDays: z.number().int().min(1).max(180),
  minSample: z.number().int().min(5).max(100_000),
  fdrQ: z.number().gt(0).max(0.5),
  denialRateGate: z.number().gt(0).max(1),
  paymentDropGate: z.number().gt(0).max(1),
  decisionTimeGateDays: z.number().gt(0).max(365),
  reasonFromShare: z.number().min(0).max(1),
  reasonToShare: z.number().min(0).max(1),
  reasonMinCount: z.number().int().min(1).max(100_000),
});
export type TSettings = z.infer<typeof ZSettings>;

export const ZUpdateSettingsInput = ZSettings.partial().strict();

const settingsSelect = {
  baselineDays: true,
  currentDays: true,
  minSample: true,
  fdrQ: true,
  denialRateGate: true,
  paymentDropGate: true,
  decisionTimeGateDays: true,
  reasonFromShare: true,
  reasonToShare: true,
  reasonMinCount: true,
  updatedAt: true,
} as const;

export async function getSettings(customerId: string) {
  const scoped = tenantDb(customerId);
  return (
    (await scoped.customerSettings.findFirst({ select: settingsSelect })) ??
    (await scoped.customerSettings.create({ data: { customerId }, select: settingsSelect }))
  );
}

export async function updateSettings(customerId: string, actor: TActor, input: z.infer<typeof ZUpdateSettingsInput>) {
  const current = await getSettings(customerId);
  const merged = { ...current, ...input };
  if (merged.currentDays >= merged.baselineDays) throw fieldError("currentDays", "must be shorter than baselineDays");
  if (merged.reasonFromShare >= merged.reasonToShare) throw fieldError("reasonFromShare", "must be below reasonToShare");
  return withTenantTransaction(customerId, async (tx) => {
    const updated = await tx.customerSettings.update({
      where: { customerId },
      data: input,
      select: settingsSelect,
    });
    await auditAction(tx, actor, customerId, "settings.update", { type: "settings", id: customerId }, { changed: Object.keys(input) });
    return updated;
  });
}
