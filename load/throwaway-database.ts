import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { disconnectDb } from "@/server/db/client";
import { openEmbeddedDatabase, type TDatabaseHandle } from "@/server/db/embedded-postgres";
import { migrateUp } from "@/server/db/migrations";

/**
 * Runs `work` against a migrated database: DATABASE_URL's when set, else an embedded PostgreSQL
 * in a temporary directory that is stopped and removed afterwards. Sets DATABASE_URL for `work`.
 */
export async function withThrowawayDatabase<T>(work: () => Promise<T>): Promise<T> {
  let handle: TDatabaseHandle;
  let dataDir: string | undefined;
  if (process.env.DATABASE_URL) {
    handle = { url: process.env.DATABASE_URL, owned: false, stop: async () => {} };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), "driftline-bench-"));
    handle = await openEmbeddedDatabase({ dataDir, attach: false });
  }
  process.env.DATABASE_URL = handle.url;
  try {
    await migrateUp(handle.url);
    return await work();
  } finally {
    await disconnectDb().catch(() => {});
    await handle.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
