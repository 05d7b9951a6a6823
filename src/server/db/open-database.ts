import { env } from "@/env";
import { openEmbeddedDatabase, type TDatabaseHandle } from "./embedded-postgres";

/**
 * The database a process works against: DATABASE_URL when set, else the embedded server in
 * DRIFTLINE_DATA_DIR. Sets process.env.DATABASE_URL so every later reader (Prisma, the job
 * queue, Next.js route handlers in this process) sees the same one.
 */
export async function openDatabase(options: { attach: boolean }): Promise<TDatabaseHandle> {
  const configured = env().DATABASE_URL;
  const handle = configured
    ? { url: configured, owned: false, stop: async () => {} }
    : await openEmbeddedDatabase({ dataDir: env().DRIFTLINE_DATA_DIR, attach: options.attach });
  process.env.DATABASE_URL = handle.url;
  return handle;
}
