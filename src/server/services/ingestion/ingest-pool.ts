import pg from "pg";
import { databaseUrl } from "@/env";

/**
 * Bulk loading needs `COPY … FROM STDIN`, which Prisma cannot issue, so the claim-line writer
 * uses plain `pg` connections from this small pool of its own (an upload holds one for the
 * whole transaction; keeping them off the Prisma pool means a large upload cannot starve the API).
 * Every statement on these connections names `customer_id` explicitly: tenant scoping is by
 * hand here, and the writer's tests prove it.
 */
const holder = globalThis as unknown as { driftlineIngestPool?: pg.Pool };

export function ingestPool(): pg.Pool {
  if (!holder.driftlineIngestPool) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: 4, idleTimeoutMillis: 30_000 });
    // An idle connection dropped by the server must not crash the process.
    pool.on("error", () => {});
    holder.driftlineIngestPool = pool;
  }
  return holder.driftlineIngestPool;
}

export async function closeIngestPool(): Promise<void> {
  const pool = holder.driftlineIngestPool;
  holder.driftlineIngestPool = undefined;
  await pool?.end();
}
