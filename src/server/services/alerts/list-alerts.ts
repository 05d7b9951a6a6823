import type { z } from "zod";
import { tenantReadDb } from "@/server/db/replica";
import type { TTenantTx } from "@/server/db/tenant-scope";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { alertSelect, toAlert, type ZAlertFilters } from "./alert-shape";

/** Alert lists (VIEWER): filters, search on rule and payer names, both pagination styles. */

type TFilters = TListParams & z.output<typeof ZAlertFilters>;

function whereOf(params: TFilters): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (params.status) where.status = params.status;
  if (params.ruleId) where.ruleId = params.ruleId;
  if (params.driftEventId) where.driftEventId = params.driftEventId;
  if (params.suppressed !== undefined) where.suppressed = params.suppressed;
  const drift: Record<string, unknown> = {};
  if (params.payerId) drift.payerId = params.payerId;
  if (params.cptGroup) drift.cptGroup = params.cptGroup;
  if (params.driftType) drift.driftType = params.driftType;
  if (Object.keys(drift).length > 0) where.driftEvent = drift;
  if (params.createdFrom || params.createdTo)
    where.createdAt = { ...(params.createdFrom ? { gte: params.createdFrom } : {}), ...(params.createdTo ? { lte: params.createdTo } : {}) };
  if (params.search) {
    const text = likeLiteral(params.search);
    where.OR = [{ rule: { name: { contains: text, mode: "insensitive" } } }, { driftEvent: { payer: { name: { contains: text, mode: "insensitive" } } } }];
  }
  return where;
}

export async function listAlerts(customerId: string, params: TFilters, extra: Record<string, unknown> = {}) {
  const scoped = tenantReadDb(customerId);
  const result = await paginate({
    params,
    where: { AND: [whereOf(params), extra] },
    sort: { keys: { createdAt: "timestamp" }, fallback: "-createdAt" },
    findMany: (args) => scoped.alertEvent.findMany({ ...args, select: alertSelect }),
    count: (args) => scoped.alertEvent.count(args),
  });
  return { ...result, items: result.items.map(toAlert) };
}

/**
 * Alerts that still want a person (the in-app channel: the alerts page and its badge): not
 * acknowledged, resolved or suppressed, from rules that notify in-app.
 */
export function listActiveAlerts(customerId: string, params: TFilters) {
  return listAlerts(customerId, params, { status: { in: ["PENDING", "SENT", "FAILED"] }, suppressed: false, rule: { notifyInApp: true } });
}

/**
 * One alert as callers see it (API.md "Alert"), read through `client`. The services that change
 * an alert pass their transaction: the answer then holds their own writes, from the primary, in
 * one more statement of that transaction instead of a transaction of its own.
 */
export async function readAlert(client: Pick<TTenantTx, "alertEvent">, id: string) {
  const row = await client.alertEvent.findFirst({ where: { id }, select: alertSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such alert.");
  return toAlert(row);
}

export function getAlert(customerId: string, id: string) {
  return readAlert(tenantReadDb(customerId), id);
}
