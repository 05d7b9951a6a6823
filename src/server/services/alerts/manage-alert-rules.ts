import type { z } from "zod";
import { tenantDb, withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError, fieldError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { alertRuleSelect, toAlertRule, type ZAlertRuleFilters, type ZCreateAlertRuleInput, type ZUpdateAlertRuleInput } from "./alert-rule-shape";

/**
 * Alert rules CRUD (ADMIN; reads VIEWER). Names are unique per tenant (409); payer, CPT group and
 * endpoints must be visible to the tenant. Changes are audited with ids and changed field names.
 */

export async function listAlertRules(customerId: string, params: TListParams & z.output<typeof ZAlertRuleFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.enabled !== undefined) where.enabled = params.enabled;
  if (params.search) where.name = { contains: likeLiteral(params.search), mode: "insensitive" };
  const result = await paginate({
    params,
    where,
    sort: { keys: { name: "text", createdAt: "timestamp" }, fallback: "name" },
    findMany: (args) => scoped.alertRule.findMany({ ...args, select: alertRuleSelect }),
    count: (args) => scoped.alertRule.count(args),
  });
  return { ...result, items: result.items.map(toAlertRule) };
}

export async function getAlertRule(customerId: string, id: string) {
  const row = await tenantDb(customerId).alertRule.findFirst({ where: { id }, select: alertRuleSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such alert rule.");
  return toAlertRule(row);
}

async function checkReferences(
  tx: TTenantTx,
  input: { name?: string; payerId?: string | null; cptGroup?: string | null; endpointIds?: string[] },
  selfId?: string,
) {
  if (input.name !== undefined) {
    const clash = await tx.alertRule.findFirst({ where: { name: input.name, ...(selfId ? { id: { not: selfId } } : {}) }, select: { id: true } });
    if (clash)
      throw new AppError("CONFLICT", `An alert rule named "${input.name}" already exists.`, {
        errors: [{ path: "name", message: "already used by another rule" }],
      });
  }
  if (input.payerId && !(await tx.payer.findFirst({ where: { id: input.payerId }, select: { id: true } }))) throw fieldError("payerId", "no such payer");
  if (input.cptGroup && !(await tx.cptGroup.findFirst({ where: { code: input.cptGroup }, select: { code: true } })))
    throw fieldError("cptGroup", "no such CPT group");
  if (input.endpointIds && input.endpointIds.length > 0) {
    const found = await tx.webhookEndpoint.count({ where: { id: { in: input.endpointIds } } });
    if (found !== new Set(input.endpointIds).size) throw fieldError("endpointIds", "no such webhook endpoint");
  }
}

export function createAlertRule(customerId: string, actor: TActor, input: z.output<typeof ZCreateAlertRuleInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    await checkReferences(tx, input);
    const { endpointIds, ...fields } = input;
    const created = await tx.alertRule.create({ data: { ...fields, customerId }, select: { id: true } });
    if (endpointIds.length > 0)
      await tx.alertRuleEndpoint.createMany({ data: [...new Set(endpointIds)].map((endpointId) => ({ customerId, ruleId: created.id, endpointId })) });
    await auditAction(tx, actor, customerId, "alert_rule.create", { type: "alert_rule", id: created.id }, { endpoints: endpointIds.length });
    return toAlertRule(await tx.alertRule.findFirstOrThrow({ where: { id: created.id }, select: alertRuleSelect }));
  });
}

export function updateAlertRule(customerId: string, actor: TActor, input: z.output<typeof ZUpdateAlertRuleInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.alertRule.findFirst({ where: { id: input.id }, select: { id: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such alert rule.");
    await checkReferences(tx, input, input.id);
    const { id, endpointIds, ...fields } = input;
    await tx.alertRule.update({ where: { id }, data: fields, select: { id: true } });
    if (endpointIds) {
      await tx.alertRuleEndpoint.deleteMany({ where: { ruleId: id } });
      if (endpointIds.length > 0)
        await tx.alertRuleEndpoint.createMany({ data: [...new Set(endpointIds)].map((endpointId) => ({ customerId, ruleId: id, endpointId })) });
    }
    await auditAction(tx, actor, customerId, "alert_rule.update", { type: "alert_rule", id }, { changed: Object.keys(input).filter((k) => k !== "id") });
    return toAlertRule(await tx.alertRule.findFirstOrThrow({ where: { id }, select: alertRuleSelect }));
  });
}

export function deleteAlertRule(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.alertRule.findFirst({ where: { id }, select: { id: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such alert rule.");
    // Its alerts go with it (ON DELETE CASCADE); disable the rule instead to keep them.
    await tx.alertRule.delete({ where: { id } });
    await auditAction(tx, actor, customerId, "alert_rule.delete", { type: "alert_rule", id });
    return { id, deleted: true };
  });
}
