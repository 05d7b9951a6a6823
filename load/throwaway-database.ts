import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { dropAppLogins, freshLoginPasswords, provisionAppLogins } from "@/server/db/app-logins";
import { disconnectDb } from "@/server/db/client";
import { openEmbeddedDatabase, type TDatabaseHandle } from "@/server/db/embedded-postgres";
import { migrateUp } from "@/server/db/migrations";
import pg from "pg";

/**
 * The application's two logins for a benchmark database, as production runs (SECURITY.md,
 * "Database roles"): created through `ownerUrl` with names unique to this run, published as
 * DATABASE_URL and DATABASE_TENANT_URL. Returns what drops them (after the database is gone).
 */
export async function useThrowawayLogins(ownerUrl: string): Promise<(adminUrl: string) => Promise<void>> {
  const names = { platform: `driftline_bench_${process.pid}_platform`, tenant: `driftline_bench_${process.pid}_tenant` };
  const logins = await provisionAppLogins(ownerUrl, freshLoginPasswords(), names);
  process.env.DATABASE_URL = logins.platformUrl;
  process.env.DATABASE_TENANT_URL = logins.tenantUrl;
  // For measurement scaffolding only (a scratch table the application's logins may not create).
  process.env.MIGRATION_DATABASE_URL = ownerUrl;
  return (adminUrl) => dropAppLogins(adminUrl, names);
}

/**
 * Runs `work` against a migrated database: MIGRATION_DATABASE_URL's (or DATABASE_URL's) when
 * set, else an embedded PostgreSQL in a temporary directory that is stopped and removed
 * afterwards. Migrates as that (owner) login; `work` runs with the application's logins.
 */
export async function withThrowawayDatabase<T>(work: () => Promise<T>): Promise<T> {
  let handle: TDatabaseHandle;
  let dataDir: string | undefined;
  const configured = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (configured) {
    handle = { url: configured, owned: false, stop: async () => {} };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "driftline-bench-"));
    handle = await openEmbeddedDatabase({ dataDir, attach: false });
  }
  let dropLogins: ((adminUrl: string) => Promise<void>) | undefined;
  try {
    await migrateUp(handle.url);
    dropLogins = await useThrowawayLogins(handle.url);
    return await work();
  } finally {
    await disconnectDb().catch(() => {});
    // A configured server keeps its database; the logins of this run go.
    if (configured) await dropLogins?.(handle.url).catch(() => {});
    await handle.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** VACUUM ANALYZE is the table owner's: the measurements run it through the migration login. */
export async function vacuumAnalyze(table: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`VACUUM ANALYZE ${client.escapeIdentifier(table)}`);
  } finally {
    await client.end();
  }
}
