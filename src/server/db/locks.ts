import { Prisma } from "@/generated/prisma/client";
import type { TSqlTx } from "./client";

/**
 * Row locks for state transitions. Every transaction that locks more than one kind of row takes
 * them in this order, and ids of one kind in ascending order, so two transactions can never
 * wait on each other in a cycle:
 *
 *   Customer -> DriftEvent -> AlertRule -> AlertEvent -> WebhookEndpoint -> WebhookDelivery -> Underpayment
 *
 * Where each path stands in it: detection locks the Customer, its DriftEvents, AlertRules and
 * AlertEvents, then reads the subscribed WebhookEndpoints FOR KEY SHARE and inserts deliveries;
 * recording an attempt locks AlertEvents, the endpoints a 410 disables, then the deliveries;
 * deleting an endpoint locks its AlertRules, then the endpoint (whose delete cascades to its
 * rule links and deliveries); changing a rule locks the rule, then (by foreign key) endpoints.
 *
 * Underpayment rows are taken after a per-tenant advisory lock by the worklist refresh
 * (refresh-underpayments.ts) and alone by the bulk status change.
 * Unique indexes in the database stay the last line of defence if a path forgets a lock.
 */
export const LOCK_ORDER = ["customers", "drift_events", "alert_rules", "alert_events", "webhook_endpoints", "webhook_deliveries", "underpayments"] as const;

export type TLockTable = (typeof LOCK_ORDER)[number];

/** SELECT … FOR UPDATE on the given ids, ascending; returns the ids that exist. */
export async function lockRows(tx: TSqlTx, table: TLockTable, ids: readonly string[]): Promise<string[]> {
  if (!LOCK_ORDER.includes(table)) throw new Error(`lockRows: ${table} is not a lockable table`);
  if (ids.length === 0) return [];
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM ${Prisma.raw(table)}
    WHERE id = ANY(${sorted}::uuid[])
    ORDER BY id
    FOR UPDATE`;
  return rows.map((row) => row.id);
}
