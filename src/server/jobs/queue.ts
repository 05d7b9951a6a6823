import PgBoss from "pg-boss";
import { databaseUrl } from "@/env";
import { QUEUE_SCHEMA } from "./install-queue-schema";

/**
 * The Postgres-backed job queue (pg-boss 10: the last major that runs on Node 20). Runs,
 * deliveries and exports are jobs, so any number of workers can share the work and nothing
 * depends on one process's memory.
 */
const holder = globalThis as unknown as { driftlineBoss?: Promise<PgBoss> };

export function queue(): Promise<PgBoss> {
  holder.driftlineBoss ??= (async () => {
    // The platform login never creates or upgrades the schema: migrations do (install-queue-schema.ts).
    const boss = new PgBoss({ connectionString: databaseUrl(), schema: QUEUE_SCHEMA, max: 4, migrate: false });
    boss.on("error", (error) => console.error(JSON.stringify({ level: "error", msg: "job queue error", error: String(error) })));
    await boss.start();
    return boss;
  })();
  return holder.driftlineBoss;
}

const created = new Map<string, Promise<void>>();

/**
 * Creates a queue once per process. pg-boss 10's createQueue adds a partition table; two
 * callers creating the same queue at once (two uploads in parallel, or two processes on a fresh
 * database) deadlock (40P01), which lost the detection run an upload had queued. One creation
 * per process, and a retry when another process races us.
 */
export function ensureQueue(name: string): Promise<void> {
  let pending = created.get(name);
  if (!pending) {
    pending = (async () => {
      const boss = await queue();
      for (let attempt = 1; ; attempt += 1) {
        try {
          await boss.createQueue(name);
          return;
        } catch (error) {
          if (attempt >= 5 || (error as { code?: string }).code !== "40P01") throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
        }
      }
    })();
    created.set(name, pending);
    pending.catch(() => created.delete(name));
  }
  return pending;
}

export async function stopQueue(options: { graceful: boolean }): Promise<void> {
  const pending = holder.driftlineBoss;
  holder.driftlineBoss = undefined;
  created.clear();
  if (!pending) return;
  const boss = await pending;
  await boss.stop({ graceful: options.graceful, timeout: 20_000, wait: true });
}
