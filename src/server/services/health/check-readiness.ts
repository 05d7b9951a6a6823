import { databaseUrl, env } from "@/env";
import { pendingVersions } from "@/server/db/migrations";
import { replicaReport, type TReplicaReport } from "@/server/db/replica";
import { workerLiveness } from "./worker-heartbeat";

export interface TReadiness {
  status: "ready" | "not_ready";
  database: "ok" | "unreachable";
  migrations: "ok" | "pending" | "unknown";
  pendingMigrations: string[];
  /**
   * Some worker process beat within WORKER_HEARTBEAT_STALE_SECONDS ("ok"), none did ("stale"),
   * or the check is switched off (WORKER_HEARTBEAT_STALE_SECONDS=0: "not_checked").
   */
  worker: { status: "ok" | "stale" | "not_checked" | "unknown"; alive: number; lastBeatSecondsAgo: number | null; staleAfterSeconds: number };
  /**
   * The read replica (DATABASE_REPLICA_URL): its lag now and the share of this process's
   * replica-eligible reads it served. Informational: reads fall back to the primary, so a
   * lagging or unreachable replica never makes the service unready.
   */
  replica: TReplicaReport;
}

export async function checkReadiness(): Promise<TReadiness> {
  const staleAfterSeconds = env().WORKER_HEARTBEAT_STALE_SECONDS;
  const unknownWorker = { status: "unknown" as const, alive: 0, lastBeatSecondsAgo: null, staleAfterSeconds };
  let pending: string[];
  try {
    pending = await pendingVersions(databaseUrl());
  } catch {
    return {
      status: "not_ready",
      database: "unreachable",
      migrations: "unknown",
      pendingMigrations: [],
      worker: unknownWorker,
      replica: await replicaReport(),
    };
  }
  let worker: TReadiness["worker"] = unknownWorker;
  if (staleAfterSeconds === 0) {
    worker = { ...unknownWorker, status: "not_checked" };
  } else if (pending.length === 0) {
    const liveness = await workerLiveness(staleAfterSeconds).catch(() => null);
    if (liveness) {
      worker = { status: liveness.alive > 0 ? "ok" : "stale", alive: liveness.alive, lastBeatSecondsAgo: liveness.newestAgeSeconds, staleAfterSeconds };
    }
  }
  const ready = pending.length === 0 && (worker.status === "ok" || worker.status === "not_checked");
  return {
    status: ready ? "ready" : "not_ready",
    database: "ok",
    migrations: pending.length === 0 ? "ok" : "pending",
    pendingMigrations: pending,
    worker,
    replica: await replicaReport(),
  };
}
