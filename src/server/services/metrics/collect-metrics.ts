import { Gauge } from "prom-client";
import { env } from "@/env";
import { db } from "@/server/db/client";
import { registerReplicaMetrics } from "@/server/db/replica";
import { metrics } from "@/server/lib/metrics";

/**
 * The database-derived gauges, read at scrape time (so any instance reports the same cluster-wide
 * queue figures, and nothing is kept in memory between scrapes): pg-boss queue depth and the age
 * of the oldest waiting job, this process's database connections (pg_stat_activity rows carrying
 * our per-process application_name, which src/cli/process-role.ts sets), and worker heartbeats.
 */

const holder = globalThis as unknown as { driftlineDbGauges?: boolean };

interface TQueueRow {
  name: string;
  waiting: number;
  active: number;
  oldest_waiting_seconds: number | null;
}

async function queueRows(): Promise<TQueueRow[]> {
  const [schema] = await db().$queryRaw<Array<{ present: boolean }>>`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`;
  if (!schema?.present) return [];
  // created/retry = waiting; start_after in the future is a delayed job, not a backlog.
  return db().$queryRaw<TQueueRow[]>`
    SELECT name,
      count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS waiting,
      count(*) FILTER (WHERE state = 'active')::int AS active,
      extract(epoch FROM now() - min(created_on) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now()))::float8
        AS oldest_waiting_seconds
    FROM pgboss.job WHERE state < 'completed' GROUP BY name`;
}

function registerDatabaseGauges(): void {
  if (holder.driftlineDbGauges) return;
  holder.driftlineDbGauges = true;
  const registers = [metrics().registry];
  new Gauge({
    name: "driftline_queue_jobs",
    help: "Jobs in the pg-boss queues (all instances), by queue and state (waiting, active).",
    labelNames: ["queue", "state"],
    registers,
    async collect() {
      this.reset();
      for (const row of await queueRows()) {
        this.set({ queue: row.name, state: "waiting" }, row.waiting);
        this.set({ queue: row.name, state: "active" }, row.active);
      }
    },
  });
  new Gauge({
    name: "driftline_queue_oldest_waiting_job_age_seconds",
    help: "Age of the oldest job that is due and not yet started, by queue (0 when none waits).",
    labelNames: ["queue"],
    registers,
    async collect() {
      this.reset();
      for (const row of await queueRows()) this.set({ queue: row.name }, row.oldest_waiting_seconds ?? 0);
    },
  });
  new Gauge({
    name: "driftline_db_connections",
    help: "This process's PostgreSQL connections (Prisma, job queue and rate-limit pools), by state.",
    labelNames: ["state"],
    registers,
    async collect() {
      this.reset();
      const rows = await db().$queryRaw<Array<{ state: string; n: number }>>`
        SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = current_setting('application_name')
          AND application_name <> ''
        GROUP BY 1`;
      for (const row of rows) this.set({ state: row.state }, row.n);
    },
  });
  new Gauge({
    name: "driftline_db_connections_database",
    help: "All client connections to the database (every process), as seen by PostgreSQL.",
    registers,
    async collect() {
      const [row] = await db().$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`;
      this.set(row?.n ?? 0);
    },
  });
  new Gauge({
    name: "driftline_workers_alive",
    help: "Worker processes whose heartbeat is within WORKER_HEARTBEAT_STALE_SECONDS (cluster-wide).",
    registers,
    async collect() {
      const staleAfter = env().WORKER_HEARTBEAT_STALE_SECONDS || 60;
      const [row] = await db().$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM worker_heartbeats WHERE beat_at >= now() - make_interval(secs => ${staleAfter}::float8)`;
      this.set(row?.n ?? 0);
    },
  });
}

/** The Prometheus text exposition of this process. */
export async function collectMetrics(): Promise<{ contentType: string; body: string }> {
  registerDatabaseGauges();
  registerReplicaMetrics();
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
