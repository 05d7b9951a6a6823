import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";
import { databaseUrl, tenantDatabaseUrl } from "@/env";
import { CountingClient } from "./pg-driver";

/**
 * The two Prisma clients of a process, created on first use because start-up decides the URLs
 * (embedded or configured) before anything touches the database. Kept on globalThis so Next.js
 * development reloads do not open new pools each time.
 *
 * - `db()` logs in as the platform login (DATABASE_URL): cross-tenant paths only.
 * - `tenantClient()` logs in as the tenant login (DATABASE_TENANT_URL), a member of
 *   `driftline_app` alone: the base of every tenant-scoped client (tenant-scope.ts), so a
 *   tenant request's statements are bound by the tenant policies whatever role games they play.
 * Neither is the owner: migrations alone use that (SECURITY.md, "Database roles").
 */
const holder = globalThis as unknown as { driftlinePrisma?: PrismaClient; driftlineTenantPrisma?: PrismaClient; driftlineReplicaPrisma?: PrismaClient };

export function createPrismaClient(url = databaseUrl(), options: { max?: number; logQueries?: boolean; connectionTimeoutMillis?: number } = {}): PrismaClient {
  // CountingClient (pg-driver.ts): the tenant prelude shares BEGIN's round trip; round trips counted.
  const adapter = new PrismaPg({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis,
    Client: CountingClient,
  });
  // Every tenant-scoped operation is a short transaction of its own (tenant-scope.ts): give it the same
  // 10 s wait for a pooled connection as interactive ones (transaction.ts), not Prisma's 2 s,
  // so a burst on a cold pool (new SCRAM logins under load) waits instead of failing.
  const transactionOptions = { maxWait: 10_000, timeout: 30_000 };
  // logQueries: emit a "query" event per SQL statement (tests count statements with $on("query")).
  if (options.logQueries) return new PrismaClient({ adapter, transactionOptions, log: [{ emit: "event", level: "query" }] }) as unknown as PrismaClient;
  return new PrismaClient({ adapter, transactionOptions });
}

export function db(): PrismaClient {
  holder.driftlinePrisma ??= createPrismaClient();
  return holder.driftlinePrisma;
}

export function tenantClient(): PrismaClient {
  holder.driftlineTenantPrisma ??= createPrismaClient(tenantDatabaseUrl());
  return holder.driftlineTenantPrisma;
}

export async function disconnectDb(): Promise<void> {
  // The replica's client (replica.ts) lives on the same holder.
  const clients = [holder.driftlinePrisma, holder.driftlineTenantPrisma, holder.driftlineReplicaPrisma];
  holder.driftlinePrisma = undefined;
  holder.driftlineTenantPrisma = undefined;
  holder.driftlineReplicaPrisma = undefined;
  await Promise.all(clients.map((client) => client?.$disconnect()));
}

export type TDb = PrismaClient;
export type TTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/**
 * What a raw-SQL helper needs from a transaction. A platform transaction (TTx) and a tenant one
 * (TTenantTx, tenant-scope.ts) both are one, so helpers typed with it take either without a cast.
 * Raw SQL is not rewritten by the tenant scope: such helpers filter by customer_id themselves,
 * and on the tenant login the row-level security policies still bind them.
 */
export type TSqlTx = Pick<TTx, "$queryRaw" | "$executeRaw">;
