import type { TDb, TTx } from "@/server/db/client";
import type { TTenantTx } from "@/server/db/tenant-scope";
import { recordAudit } from "./audit";

/** Who did something, as services need it for audit rows: never transport details. */
export interface TActor {
  userId: string | null;
  apiKeyId: string | null;
  label: string;
  requestId: string | null;
  ip: string | null;
}

/** Records an audit row for an action by `actor` in the given tenant (null: platform chain). */
export function auditAction(
  tx: TTx | TTenantTx | TDb,
  actor: TActor,
  customerId: string | null,
  action: string,
  resource: { type: string; id?: string | null },
  details: Record<string, unknown> = {},
) {
  // A tenant-scoped transaction is the same transaction with a query extension on top.
  return recordAudit(tx as TTx, {
    customerId,
    actor: { userId: actor.userId, apiKeyId: actor.apiKeyId, label: actor.label },
    action,
    resourceType: resource.type,
    resourceId: resource.id ?? null,
    requestId: actor.requestId,
    ip: actor.ip,
    details,
  });
}
