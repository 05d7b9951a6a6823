import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { dropAppLogins, freshLoginPasswords, provisionAppLogins, type TLoginNames } from "../server/db/app-logins";
import { openEmbeddedDatabase, type TDatabaseHandle } from "../server/db/embedded-postgres";
import { migrateUp } from "../server/db/migrations";

/**
 * One real PostgreSQL for the whole test run: the configured server (MIGRATION_DATABASE_URL, or
 * DATABASE_URL, must be a login that may create databases and roles; a fresh database is created
 * on it and dropped after), or an embedded server in a temporary directory. Tests isolate
 * themselves with unique tenants, so they share the database safely.
 *
 * The suites run with the same role separation as the product (SECURITY.md, "Database roles"):
 * migrations as the owner, then the application's two logins, created here with names unique to
 * the run — DATABASE_URL is the platform login, DATABASE_TENANT_URL the tenant login. Tests that
 * must act as the owner (tampering with the audit log, adding probe policies) use
 * MIGRATION_DATABASE_URL; TEST_ADMIN_DATABASE_URL lets a test create further databases.
 */
export default async function setup(): Promise<() => Promise<void>> {
  let handle: TDatabaseHandle;
  let dataDir: string | undefined;
  const configured = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (configured) {
    handle = { url: configured, owned: false, stop: async () => {} };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "driftline-test-"));
    handle = await openEmbeddedDatabase({ dataDir, attach: false });
  }

  const admin = new URL(handle.url);
  const run = `${process.pid}_${Date.now()}`;
  const testDb = `driftline_test_${run}`;
  const client = new pg.Client({ connectionString: handle.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${testDb}`);
  await client.end();

  const testUrl = new URL(admin);
  testUrl.pathname = `/${testDb}`;
  await migrateUp(testUrl.toString());
  // Roles are cluster-wide: names of this run only, so runs sharing a server do not collide.
  const names: TLoginNames = { platform: `driftline_test_${run}_platform`, tenant: `driftline_test_${run}_tenant` };
  const logins = await provisionAppLogins(testUrl.toString(), freshLoginPasswords(), names);
  process.env.DATABASE_URL = logins.platformUrl;
  process.env.DATABASE_TENANT_URL = logins.tenantUrl;
  process.env.MIGRATION_DATABASE_URL = testUrl.toString();
  process.env.TEST_ADMIN_DATABASE_URL = admin.toString();
  Object.assign(process.env, { NODE_ENV: "test" });

  return async () => {
    const cleanup = new pg.Client({ connectionString: admin.toString() });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${testDb} WITH (FORCE)`);
    await cleanup.end();
    await dropAppLogins(admin.toString(), names);
    await handle.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
