import { tenantDatabaseUrl } from "@/env";
import { createPrismaClient, db, tenantClient } from "@/server/db/client";

/**
 * Counts the SQL statements the process's Prisma clients issue. Call `installQueryLog()` at the
 * top of a test file, before anything touches the database: it puts clients that emit query
 * events in the places `db()` (platform login) and `tenantClient()` (tenant login) read from, so
 * every service (scoped or not) is counted.
 */

type TQueryEvent = { query: string };
type TEmitter = { $on(event: "query", listener: (event: TQueryEvent) => void): void };

let recording: string[] | null = null;
let installed = false;

export function installQueryLog(): void {
  if (installed) return;
  const holder = globalThis as unknown as { driftlinePrisma?: unknown; driftlineTenantPrisma?: unknown };
  if (holder.driftlinePrisma || holder.driftlineTenantPrisma) throw new Error("installQueryLog() must run before the first db() call");
  const client = createPrismaClient(undefined, { logQueries: true });
  const tenant = createPrismaClient(tenantDatabaseUrl(), { logQueries: true });
  for (const each of [client, tenant]) (each as unknown as TEmitter).$on("query", (event) => recording?.push(event.query));
  holder.driftlinePrisma = client;
  holder.driftlineTenantPrisma = tenant;
  installed = db() === client && tenantClient() === tenant;
}

/** Runs `fn` and returns its result with the SQL statements it issued (in-file, sequential use). */
export async function withQueryLog<T>(fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  if (!installed) throw new Error("call installQueryLog() first");
  const queries: string[] = [];
  recording = queries;
  try {
    const result = await fn();
    return { result, queries: [...queries] };
  } finally {
    recording = null;
  }
}

/**
 * The statements the application asked for, without the row-level-security framing each
 * tenant-scoped operation outside a transaction gets (BEGIN, the role/tenant set_config,
 * COMMIT; see tenant-scope.ts).
 */
export function applicationQueries(queries: string[]): string[] {
  return queries.filter((query) => !/^\s*(BEGIN|COMMIT)\b/i.test(query) && !query.startsWith("SELECT set_config('role'"));
}
