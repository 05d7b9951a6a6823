import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openEmbeddedDatabase, type TDatabaseHandle } from "../server/db/embedded-postgres";
import { migrateUp } from "../server/db/migrations";

/**
 * One real PostgreSQL for the whole test run: the configured DATABASE_URL's server (a fresh
 * database is created on it and dropped after), or an embedded server in a temporary directory.
 * Tests isolate themselves with unique tenants, so they share the database safely.
 * TEST_ADMIN_DATABASE_URL lets a test create further databases (the migration round trip).
 */
export default async function setup(): Promise<() => Promise<void>> {
  let handle: TDatabaseHandle;
  let dataDir: string | undefined;
  if (process.env.DATABASE_URL) {
    handle = { url: process.env.DATABASE_URL, owned: false, stop: async () => {} };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "driftline-test-"));
    handle = await openEmbeddedDatabase({ dataDir, attach: false });
  }

  const admin = new URL(handle.url);
  const testDb = `driftline_test_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: handle.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${testDb}`);
  await client.end();

  const testUrl = new URL(admin);
  testUrl.pathname = `/${testDb}`;
  await migrateUp(testUrl.toString());
  process.env.DATABASE_URL = testUrl.toString();
  process.env.TEST_ADMIN_DATABASE_URL = admin.toString();
  Object.assign(process.env, { NODE_ENV: "test" });

  return async () => {
    const cleanup = new pg.Client({ connectionString: admin.toString() });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${testDb} WITH (FORCE)`);
    await cleanup.end();
    await handle.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
