import pg from "pg";
import { env } from "@/env";
import { DatabaseStartError, openEmbeddedDatabase, type TDatabaseHandle } from "./embedded-postgres";

/** Fails fast, naming the server (never the password) and what to do, when it cannot connect. */
async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const { hostname, port, pathname } = new URL(url);
    throw new DatabaseStartError(
      `Cannot connect to the database in DATABASE_URL (${hostname}:${port || 5432}${pathname}): ${(error as Error).message}. ` +
        "Check the URL and that PostgreSQL is running, or unset DATABASE_URL to use the embedded one.",
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The database a process works against: DATABASE_URL when set, else the embedded server in
 * DRIFTLINE_DATA_DIR. Sets process.env.DATABASE_URL so every later reader (Prisma, the job
 * queue, Next.js route handlers in this process) sees the same one.
 */
export async function openDatabase(options: { attach: boolean }): Promise<TDatabaseHandle> {
  const configured = env().DATABASE_URL;
  if (configured) await assertReachable(configured);
  const handle = configured
    ? { url: configured, owned: false, stop: async () => {} }
    : await openEmbeddedDatabase({ dataDir: env().DRIFTLINE_DATA_DIR, attach: options.attach });
  process.env.DATABASE_URL = handle.url;
  return handle;
}
