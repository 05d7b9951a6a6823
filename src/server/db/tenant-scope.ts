import { Prisma } from "@/generated/prisma/client";
import { db, tenantClient, type TDb } from "./client";
import { withTransactionPrelude } from "./pg-driver";
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
  "Invitation",
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
  "AlertEmailDelivery",
  "Export",
  "ProviderAdjustment",
  "FeeSchedule",
  "FeeScheduleRate",
  "Underpayment",
]);

/** Payers are shared (catalogue, customer_id NULL) or one tenant's own: reads see both. */
const SHARED_OR_TENANT_MODELS = new Set<string>(["Payer"]);

/**
 * Models that are not one tenant's rows. Through a scoped client each shows only what belongs
 * to the tenant in scope (its own customer row, its members and their sessions, the read-only
 * CPT catalogue) and nothing at all with no tenant in scope. Platform tables (rate-limit
 * counters, worker heartbeats) have no business in tenant code. A model missing from every list
 * is refused, so a new table cannot be read across tenants by default.
 */
const RELATED_FILTERS: Record<string, (customerId: string) => Record<string, unknown>> = {
  Customer: (customerId) => ({ id: customerId }),
  User: (customerId) => ({ memberships: { some: { customerId } } }),
  UserSession: (customerId) => ({ user: { memberships: { some: { customerId } } } }),
};
const CATALOGUE_MODELS = new Set<string>(["CptGroup"]);
/** Operational tables of the platform itself: no tenant's business, refused outright. */
const PLATFORM_MODELS = new Set<string>(["RateLimit", "WorkerHeartbeat", "PasswordResetToken"]);
/** New accounts are created inside the tenant transaction that makes them members. */
const CREATABLE_RELATED_MODELS = new Set<string>(["User"]);

// A valid uuid no row has: "no tenant in scope" matches nothing instead of everything.
const NO_TENANT = "00000000-0000-0000-0000-000000000000";
// Matches no row of any model (an empty OR is false in Prisma).
const NOTHING = { OR: [] } as const;

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
const CREATE_OPERATIONS = new Set(["create", "createMany", "createManyAndReturn"]);
/**
 * Every operation this file knows how to scope. Anything else (an operation a newer Prisma adds,
 * a raw model operation) is refused rather than passed through unfiltered: fail closed.
 */
export const SCOPED_OPERATIONS: ReadonlySet<string> = new Set([...UNIQUE_WHERE_OPERATIONS, ...FILTER_OPERATIONS, ...CREATE_OPERATIONS]);

type TArgs = Record<string, unknown> & { where?: Record<string, unknown>; data?: unknown; create?: unknown };

export class TenantScopeError extends Error {}

function tenantFilter(model: string, operation: string, customerId: string | null): Record<string, unknown> {
  if (TENANT_MODELS.has(model)) return { customerId: customerId ?? NO_TENANT };
  // Shared catalogue rows are readable by every tenant but writable by none.
  if (SHARED_OR_TENANT_MODELS.has(model)) {
    if (customerId && READ_OPERATIONS.has(operation)) return { OR: [{ customerId }, { customerId: null }] };
    return { customerId: customerId ?? NO_TENANT };
  }
  const related = RELATED_FILTERS[model];
  if (related) return customerId ? related(customerId) : NOTHING;
  if (CATALOGUE_MODELS.has(model)) {
    if (!READ_OPERATIONS.has(operation)) throw new TenantScopeError(`${model} is a catalogue: write it with unscopedDb() on a superuser path.`);
    return customerId ? {} : NOTHING;
  }
  if (PLATFORM_MODELS.has(model)) throw new TenantScopeError(`${model} is platform data, not available through a tenant-scoped client.`);
  throw new TenantScopeError(`${model} is not classified for tenant scoping: add it to one of the sets in tenant-scope.ts.`);
}

export function scopeArgs(model: string, operation: string, args: TArgs, customerId: string | null): TArgs {
  if (!SCOPED_OPERATIONS.has(operation)) {
    throw new TenantScopeError(`${model}.${operation} is not an operation tenant-scope.ts knows how to scope: refused (add it to one of the operation sets).`);
  }
  const next: TArgs = { ...args };
  const owned = TENANT_MODELS.has(model) || SHARED_OR_TENANT_MODELS.has(model);
  if (CREATE_OPERATIONS.has(operation) && !owned) {
    // Creating a user is fine (a new member's account); creating tenants or sessions is not.
    if (CREATABLE_RELATED_MODELS.has(model) && customerId) return next;
    throw new TenantScopeError(`${model} rows cannot be created through a tenant-scoped client.`);
  }
  const filter = tenantFilter(model, operation, customerId);
  if (UNIQUE_WHERE_OPERATIONS.has(operation)) {
    // Keep the caller's own AND conditions next to the tenant's.
    const own = args.where?.AND;
    next.where = { ...args.where, AND: [filter, ...(Array.isArray(own) ? own : own ? [own] : [])] };
  }
  if (FILTER_OPERATIONS.has(operation)) next.where = args.where ? { AND: [args.where, filter] } : filter;
  if (!owned) {
    if (operation === "upsert") throw new TenantScopeError(`${model} cannot be upserted through a tenant-scoped client.`);
    return next;
  }

  const scope = customerId ?? NO_TENANT;
  const stamp = (data: unknown) => (data && typeof data === "object" ? { ...(data as object), customerId: scope } : data);
  if (CREATE_OPERATIONS.has(operation)) {
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

/**
 * Row-level security (migration 20261127000007, enforced since 20261127000008, role separation
 * since 20261203000090): a tenant-scoped client is built on the tenant login's pool
 * (`tenantClient()`, DATABASE_TENANT_URL), a member of the non-superuser role `driftline_app`
 * and of nothing else. Every statement also runs with `app.customer_id` set to the tenant (and
 * the role switched to `driftline_app` itself), both LOCAL to a transaction, so the PostgreSQL
 * policies are a second line behind the filters above. Nothing outlives the transaction, so
 * pooled connections go back clean; and because the login itself is bound by the policies, an
 * injected `RESET ROLE` changes nothing (database-roles.test.ts).
 *
 * - A raw statement outside a transaction becomes a batch transaction [setTenant, statement]
 *   (Prisma's documented "RLS through a client extension" pattern); a model operation a short
 *   interactive transaction of its own whose BEGIN the driver sends with setTenant in front of
 *   the operation (see below for why).
 * - `withTenantTransaction` begins its interactive transaction with `setTenant` the same way;
 *   operations inside it run as they are.
 * - Operations already inside some other transaction (a batch, or an interactive transaction
 *   opened with `tenantDb(…).$transaction(fn)` directly) are NOT given the tenant: on the tenant
 *   login they see nothing. Use `withTenantTransaction` for interactive work.
 */
export const rowLevelSecurity = {
  /**
   * Only the overhead measurement in rls-enforced.test.ts turns this off: scoped clients are then
   * built on the platform login without the per-transaction tenant setting.
   */
  enabled: true,
};

export const APP_ROLE = "driftline_app";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant prelude as parameter-free SQL: the driver sends it with BEGIN; the bench replays it. */
export function tenantPreludeSql(customerId: string | null): string {
  // set_config('role', …, true) is SET LOCAL ROLE, in the same round trip as the tenant. Written
  // without parameters (the id is checked to be a UUID first, so the literal cannot break out)
  // so that the driver sends it in one round trip with the BEGIN in front of it (pg-driver.ts).
  if (customerId !== null && !UUID.test(customerId)) throw new TenantScopeError("A tenant id must be a UUID.");
  return `SELECT set_config('role', '${APP_ROLE}', true), set_config('app.customer_id', '${customerId ?? ""}', true)`;
}

function setTenantSql(customerId: string | null) {
  return Prisma.raw(tenantPreludeSql(customerId));
}

type TOperation = (args: unknown) => Promise<unknown>;

/** `client.<model>.<operation>` for a model name as Prisma's hooks give it ("DriftEvent"); refused if unknown. */
function modelDelegate(base: TDb, model: string, operation: string): (client: unknown) => TOperation {
  const delegate = model.charAt(0).toLowerCase() + model.slice(1);
  const found = (base as unknown as Record<string, Record<string, unknown> | undefined>)[delegate]?.[operation];
  if (typeof found !== "function") throw new TenantScopeError(`${model}.${operation} has no client delegate.`);
  return (client) => {
    const target = (client as Record<string, Record<string, TOperation>>)[delegate]!;
    return (args) => target[operation]!(args);
  };
}

function inTransaction(params: unknown): boolean {
  const internal = (params as { __internalParams?: { transaction?: unknown } }).__internalParams;
  return Boolean(internal?.transaction);
}

/**
 * Scoped clients are built once per (base client, tenant) and reused: `$extends` builds a new
 * client object graph, too much to pay on every call of every request. Bounded, least recently
 * used first out; a client dropped here is rebuilt on its next use.
 */
const SCOPED_CLIENTS_PER_BASE = 1000;
const scopedClients = new WeakMap<TDb, Map<string, ReturnType<typeof buildTenantDb>>>();

export function tenantDb(customerId: string | null, base: TDb = rowLevelSecurity.enabled ? tenantClient() : db()) {
  let clients = scopedClients.get(base);
  if (!clients) scopedClients.set(base, (clients = new Map()));
  const key = customerId ?? "";
  const hit = clients.get(key);
  if (hit) {
    clients.delete(key);
    clients.set(key, hit);
    return hit;
  }
  const built = buildTenantDb(customerId, base);
  clients.set(key, built);
  if (clients.size > SCOPED_CLIENTS_PER_BASE) clients.delete(clients.keys().next().value as string);
  return built;
}

function buildTenantDb(customerId: string | null, base: TDb) {
  return base
    .$extends({
      name: "tenant-scope",
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }) {
            return query(scopeArgs(model, operation, (args ?? {}) as TArgs, customerId) as typeof args);
          },
        },
      },
    })
    .$extends({
      name: "tenant-rls",
      query: {
        async $allOperations(params) {
          const { args, query } = params;
          if (!rowLevelSecurity.enabled || inTransaction(params)) return query(args);
          // A model operation runs in a short interactive transaction rather than the batch
          // [setTenant, operation]: Prisma caches the query plan of a single operation, but
          // compiles a batch that starts with a raw statement again on every call (about a fifth
          // of a list request's CPU). setTenant is not one of its statements either: the driver
          // sends it with the transaction's BEGIN (withTransactionPrelude, pg-driver.ts), which
          // spares Prisma a raw query per operation (about 0.4 ms of CPU on a list request).
          // Same round trips, same transaction limits (client.ts). `args` are already scoped:
          // the tenant-scope extension above runs before this one.
          if (params.model) {
            const model = modelDelegate(base, params.model, params.operation);
            return withTransactionPrelude(tenantPreludeSql(customerId), () => base.$transaction((tx) => model(tx)(args)));
          }
          const [, result] = await base.$transaction([base.$queryRaw(setTenantSql(customerId)), query(args)]);
          return result;
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
export function withTenantTransaction<T>(customerId: string, fn: (tx: TTenantTx) => Promise<T>, options: TTransactionOptions = {}): Promise<T> {
  return retryWriteConflicts(() => {
    const run = () => tenantDb(customerId).$transaction((tx) => fn(tx), transactionSettings(options));
    // The tenant prelude goes out with BEGIN (pg-driver.ts), ahead of fn's first statement.
    return rowLevelSecurity.enabled ? withTransactionPrelude(tenantPreludeSql(customerId), run) : run();
  }, options.maxAttempts);
}
