import { Prisma } from "@/generated/prisma/client";
import { db, type TDb } from "./client";
import { retryWriteConflicts, transactionSettings, type TTransactionOptions } from "./transaction";

/**
 * Tenant scoping by construction (PRODUCT.md §1). `tenantDb(customerId)` is a Prisma client
 * whose every operation on a tenant-owned model is filtered to that tenant, and whose every
 * create is stamped with it, so tenant code cannot forget the filter. With no tenant
 * (`customerId` null) it matches nothing: it never falls back to "all".
 *
 * Unscoped access is `unscopedDb()`, a distinct name that only superuser and platform paths use.
 * Nested writes inside `data` are not rewritten: services create children through the scoped
 * model itself (or stamp `customerId` from the context) — the foreign keys keep them honest.
 */

/** Models whose rows belong to one tenant through a NOT NULL customer_id. */
const TENANT_MODELS = new Set<string>([
  "CustomerSettings",
  "Membership",
  "ApiKey",
  "AuditEvent",
  "PayerMapping",
  "CptMapping",
  "Upload",
  "ClaimLine",
  "DetectionRun",
  "DriftEvent",
  "WebhookEndpoint",
  "AlertRule",
  "AlertRuleEndpoint",
  "AlertEvent",
  "AlertFeedback",
  "WebhookDelivery",
  "WebhookDeliveryAttempt",
  "Export",
]);

/** Payers are shared (catalogue, customer_id NULL) or one tenant's own: reads see both. */
const SHARED_OR_TENANT_MODELS = new Set<string>(["Payer"]);

// A valid uuid no row has: "no tenant in scope" matches nothing instead of everything.
const NO_TENANT = "00000000-0000-0000-0000-000000000000";

/** Operations whose `where` must keep its unique field at the top level. */
const UNIQUE_WHERE_OPERATIONS = new Set(["findUnique", "findUniqueOrThrow", "update", "delete", "upsert"]);
const FILTER_OPERATIONS = new Set([
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
  "updateMany",
  "updateManyAndReturn",
  "deleteMany",
]);
const READ_OPERATIONS = new Set(["findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate", "groupBy"]);

type TArgs = Record<string, unknown> & { where?: Record<string, unknown>; data?: unknown; create?: unknown };

function tenantFilter(model: string, operation: string, customerId: string): Record<string, unknown> {
  // Shared catalogue rows are readable by every tenant but writable by none.
  if (SHARED_OR_TENANT_MODELS.has(model) && READ_OPERATIONS.has(operation)) {
    return { OR: [{ customerId }, { customerId: null }] };
  }
  return { customerId };
}

function scopeArgs(model: string, operation: string, args: TArgs, customerId: string): TArgs {
  const next: TArgs = { ...args };
  const filter = tenantFilter(model, operation, customerId);
  if (UNIQUE_WHERE_OPERATIONS.has(operation)) next.where = { ...args.where, AND: [filter] };
  if (FILTER_OPERATIONS.has(operation)) next.where = args.where ? { AND: [args.where, filter] } : filter;

  const stamp = (data: unknown) => (data && typeof data === "object" ? { ...(data as object), customerId } : data);
  if (operation === "create" || operation === "createMany" || operation === "createManyAndReturn") {
    next.data = Array.isArray(args.data) ? args.data.map(stamp) : stamp(args.data);
  }
  if (operation === "upsert") next.create = stamp(args.create);
  if (["update", "updateMany", "updateManyAndReturn", "upsert"].includes(operation) && args.data && typeof args.data === "object") {
    // A row can never be moved to another tenant.
    const { customerId: _moved, ...rest } = args.data as Record<string, unknown>;
    next.data = rest;
  }
  return next;
}

export function tenantDb(customerId: string | null, base: TDb = db()) {
  const scope = customerId ?? NO_TENANT;
  return base.$extends({
    name: "tenant-scope",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (!TENANT_MODELS.has(model) && !SHARED_OR_TENANT_MODELS.has(model)) return query(args);
          return query(scopeArgs(model, operation, (args ?? {}) as TArgs, scope) as typeof args);
        },
      },
    },
  });
}

export type TTenantDb = ReturnType<typeof tenantDb>;

/** Unscoped access, for superuser and platform paths only (each such read is audited there). */
export function unscopedDb(): TDb {
  return db();
}

export { Prisma };

export type TTenantTx = Parameters<Parameters<TTenantDb["$transaction"]>[0]>[0];

/** A transaction whose client is scoped to the tenant, with write-conflict retries. */
export function withTenantTransaction<T>(
  customerId: string,
  fn: (tx: TTenantTx) => Promise<T>,
  options: TTransactionOptions = {},
): Promise<T> {
  return retryWriteConflicts(() => tenantDb(customerId).$transaction(fn, transactionSettings(options)), options.maxAttempts);
}
