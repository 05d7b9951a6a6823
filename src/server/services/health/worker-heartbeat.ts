import { hostname } from "node:os";
import { db } from "@/server/db/client";
import { logger } from "@/server/lib/logger";

/**
 * Worker heartbeats: each worker process upserts its row in worker_heartbeats every
 * `intervalMs`, so readiness on any web instance can see that some worker is alive — a fact
 * no single process's memory can hold. A stopping worker deletes its row.
 */

export interface THeartbeat {
  workerId: string;
  stop(): Promise<void>;
}

async function beat(workerId: string, queues: readonly string[]): Promise<void> {
  await db().$executeRaw`
    INSERT INTO worker_heartbeats (worker_id, hostname, pid, queues)
    VALUES (${workerId}, ${hostname()}, ${process.pid}, ${[...queues]}::text[])
    ON CONFLICT (worker_id) DO UPDATE SET beat_at = now(), queues = excluded.queues`;
}

export async function startHeartbeat(queues: readonly string[], intervalMs = 10_000): Promise<THeartbeat> {
  const workerId = `${hostname()}:${process.pid}:${Date.now().toString(36)}`.slice(0, 200);
  await beat(workerId, queues);
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = (async () => {
      try {
        await beat(workerId, queues);
        // Rows of processes that died without saying goodbye; any worker may sweep them.
        await db().$executeRaw`DELETE FROM worker_heartbeats WHERE beat_at < now() - interval '1 day'`;
      } catch (error) {
        logger.warn({ err: error }, "worker heartbeat failed");
      }
    })();
  }, intervalMs);
  timer.unref();
  return {
    workerId,
    stop: async () => {
      clearInterval(timer);
      await pending;
      await db().$executeRaw`DELETE FROM worker_heartbeats WHERE worker_id = ${workerId}`.catch(() => {});
    },
  };
}

export interface TWorkerLiveness {
  /** Workers whose last beat is within `staleAfterSeconds`. */
  alive: number;
  /** Seconds since the newest beat of any worker; null when none ever beat. */
  newestAgeSeconds: number | null;
}

export async function workerLiveness(staleAfterSeconds: number): Promise<TWorkerLiveness> {
  const [row] = await db().$queryRaw<Array<{ alive: number; newest_age: number | null }>>`
    SELECT count(*) FILTER (WHERE beat_at >= now() - make_interval(secs => ${staleAfterSeconds}::float8))::int AS alive,
      extract(epoch FROM now() - max(beat_at))::float8 AS newest_age
    FROM worker_heartbeats`;
  return { alive: row?.alive ?? 0, newestAgeSeconds: row?.newest_age == null ? null : Math.round(row.newest_age * 10) / 10 };
}
