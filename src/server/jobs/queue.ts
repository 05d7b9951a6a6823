import PgBoss from "pg-boss";
import { databaseUrl } from "@/env";

/**
 * The Postgres-backed job queue (pg-boss 10: the last major that runs on Node 20). Runs,
 * deliveries and exports are jobs, so any number of workers can share the work and nothing
 * depends on one process's memory.
 */
const holder = globalThis as unknown as { driftlineBoss?: Promise<PgBoss> };

export function queue(): Promise<PgBoss> {
  holder.driftlineBoss ??= (async () => {
    const boss = new PgBoss({ connectionString: databaseUrl(), schema: "pgboss", max: 4 });
    boss.on("error", (error) => console.error(JSON.stringify({ level: "error", msg: "job queue error", error: String(error) })));
    await boss.start();
    return boss;
  })();
  return holder.driftlineBoss;
}

export async function stopQueue(options: { graceful: boolean }): Promise<void> {
  const pending = holder.driftlineBoss;
  holder.driftlineBoss = undefined;
  if (!pending) return;
  const boss = await pending;
  await boss.stop({ graceful: options.graceful, timeout: 20_000, wait: true });
}
