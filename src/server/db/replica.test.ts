import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/env";
import { disconnectDb } from "@/server/db/client";
import { replicaReport } from "@/server/db/replica";
import { assertReplicaLogin } from "@/server/db/replica-login";
import { stopQueue } from "@/server/jobs/queue";
import { dashboardCache } from "@/server/services/dashboard/dashboard-cache";
import { runExport } from "@/server/services/exports/exports";
import { testLine, toCsv } from "@/test/claim-csv";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { startStreamingReplica, type TStreamingReplica } from "@/test/streaming-replica";

/**
 * The read replica against a REAL streaming replica (src/test/streaming-replica.ts): a primary
 * and a standby of their own, the application configured as in production (DATABASE_URL and
 * DATABASE_TENANT_URL on the primary, DATABASE_REPLICA_URL the tenant login on the standby),
 * requests through a real HTTP server. Which server answered is read from PostgreSQL itself
 * (the replica's statement log, the primary's pg_stat_activity), not only from our counters.
 * Prints the measured read share and lag ("replica figures"), quoted in DEPLOYMENT.md.
 */

const METRICS_TOKEN = "replica-test-metrics-token-0123456789";

let cluster: TStreamingReplica;
let server: TRestServer;
let tenant: TTestTenant;
let other: TTestTenant;

type TJson = Record<string, unknown> & { items?: Array<Record<string, unknown>> };

async function get(path: string, headers: Headers): Promise<TJson> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers });
  const text = await response.text();
  expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
  return JSON.parse(text) as TJson;
}

async function upload(of: TTestTenant, lines: number): Promise<string> {
  const headers = new Headers(of.keys.ANALYST.headers);
  headers.set("content-type", "text/csv");
  headers.set("x-filename", "claims.csv");
  const response = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body: toCsv(Array.from({ length: lines }, () => testLine())) });
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBeLessThan(300);
  return (JSON.parse(text) as { upload: { id: string } }).upload.id;
}

async function readiness(): Promise<{
  status: string;
  replica: { status: string; lagSeconds: number | null; reads: { replica: number; primary: number; replicaShare: number | null } };
}> {
  const response = await fetch(`${server.origin}/api/ready`);
  return (await response.json()) as Awaited<ReturnType<typeof readiness>>;
}

async function metricValue(name: string): Promise<number> {
  const response = await fetch(`${server.origin}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const body = await response.text();
  const line = body.split("\n").find((row) => row.startsWith(`${name} `));
  expect(line, `${name} in /api/metrics`).toBeDefined();
  return Number(line!.split(" ")[1]);
}

async function onServer<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const tenantLogin = () => decodeURIComponent(new URL(cluster.logins.tenantUrl).username);

/** The last statement of every connection the tenant login has open on a server (pg_stat_activity). */
async function tenantStatements(adminUrl: string): Promise<string[]> {
  const rows = await onServer<{ query: string }>(adminUrl, "SELECT query FROM pg_stat_activity WHERE usename = $1", [tenantLogin()]);
  return rows.map((row) => row.query);
}

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const caughtUp = () => until("the replica to catch up", replicaReport, (report) => report.status === "ok" && report.lagSeconds === 0);
const counts = async () => (await replicaReport()).reads;

beforeAll(async () => {
  const started = Date.now();
  cluster = await startStreamingReplica();
  console.log(`primary and streaming replica started in ${Date.now() - started} ms`);
  // Before anything reads the environment: this file's process works against its own cluster.
  Object.assign(process.env, {
    DATABASE_URL: cluster.logins.platformUrl,
    DATABASE_TENANT_URL: cluster.logins.tenantUrl,
    MIGRATION_DATABASE_URL: cluster.primary.url,
    DATABASE_REPLICA_URL: cluster.replicaTenantUrl,
    REPLICA_MAX_LAG_SECONDS: "1",
    WORKER_HEARTBEAT_STALE_SECONDS: "0",
    METRICS_TOKEN,
    RATE_LIMIT_OVERRIDES: JSON.stringify({ upload: { points: 1000, duration: 60 } }),
  });
  expect(env().DATABASE_REPLICA_URL).toBe(cluster.replicaTenantUrl);
  server = await startRestServer();
  tenant = await createTestTenant();
  other = await createTestTenant();
  await upload(tenant, 3);
  await upload(other, 2);
}, 120_000);

afterAll(async () => {
  await stopQueue({ graceful: false }).catch(() => {});
  await server?.close();
  await disconnectDb();
  await cluster?.close();
});

describe("read replica", () => {
  it("serves dashboard and list reads from the replica, under the tenant's row-level security", async () => {
    await caughtUp();
    // A read goes to the primary when the replica is more than CATCH_UP_WAIT_MS behind its fence
    // (a busy machine): ask again until one is served there, each time computing afresh.
    const servedByReplica = (path: string, check: (body: TJson) => void) =>
      until(
        `${path} served by the replica`,
        async () => {
          dashboardCache.clear();
          const before = await counts();
          check(await get(path, tenant.keys.VIEWER.headers));
          const after = await counts();
          expect(after.replica - before.replica + (after.primary - before.primary)).toBe(1);
          return after.replica - before.replica;
        },
        (served) => served === 1,
      );
    await servedByReplica("/dashboard", (dashboard) => expect(dashboard.totals).toMatchObject({ uploads: 1, claimLines: 3 }));
    await servedByReplica("/uploads", (uploads) => expect(uploads.items).toHaveLength(1));

    // PostgreSQL's own view: the replica's statement log shows the dashboard's aggregates, run as
    // the tenant login with the role and tenant set first; the primary's tenant connections never ran them.
    // One entry per log record (a statement's SQL continues on lines without the prefix).
    const replicaStatements = cluster
      .replicaLog()
      .split(/\n(?=user=)/)
      .filter((entry) => entry.startsWith(`user=${tenantLogin()} `));
    expect(replicaStatements.some((line) => line.includes("revenue_at_risk"))).toBe(true);
    expect(replicaStatements.some((line) => line.includes("set_config('app.customer_id'"))).toBe(true);
    expect((await tenantStatements(cluster.primary.url)).some((query) => query.includes("revenue_at_risk"))).toBe(false);

    // The other tenant's reads on the replica see only its own rows.
    const otherDashboard = await get("/dashboard", other.keys.VIEWER.headers);
    expect(otherDashboard.totals).toMatchObject({ uploads: 1, claimLines: 2 });
    // And the replica's tenant login, without a tenant in scope, sees nothing at all (RLS replicated).
    const [row] = await onServer<{ n: number }>(
      cluster.replicaTenantUrl,
      "SELECT (SELECT count(*) FROM uploads)::int + (SELECT count(*) FROM claim_lines)::int AS n",
    );
    expect(row!.n).toBe(0);
  });

  it("start-up accepts the tenant login on the replica and refuses a superuser there", async () => {
    await expect(assertReplicaLogin(cluster.replicaTenantUrl)).resolves.toBeUndefined();
    await expect(assertReplicaLogin(cluster.replicaAdminUrl)).rejects.toThrow(/DATABASE_REPLICA_URL: .* is a superuser/);
    const platformOnReplica = new URL(cluster.logins.platformUrl);
    platformOnReplica.port = new URL(cluster.replicaTenantUrl).port;
    await expect(assertReplicaLogin(platformOnReplica.toString())).rejects.toThrow(/not a member of driftline_app/);
  });

  it("a caller's read right after their own write sees it, even while the replica is behind", async () => {
    await caughtUp();
    await onServer(cluster.replicaAdminUrl, "SELECT pg_wal_replay_pause()");
    try {
      const before = await counts();
      const id = await upload(tenant, 2);
      const uploads = await get("/uploads", tenant.keys.VIEWER.headers);
      expect(uploads.items!.map((item) => item.id)).toContain(id);
      const stats = await get("/uploads/stats", tenant.keys.VIEWER.headers);
      expect(stats).toBeDefined();
      const after = await counts();
      expect(after.primary - before.primary).toBe(2);
      expect(after.replica - before.replica).toBe(0);
      // The replica really had not seen it.
      const [seen] = await onServer<{ n: number }>(cluster.replicaAdminUrl, "SELECT count(*)::int AS n FROM uploads WHERE id = $1", [id]);
      expect(seen!.n).toBe(0);
    } finally {
      await onServer(cluster.replicaAdminUrl, "SELECT pg_wal_replay_resume()");
    }
  });

  it("falls back to the primary while the replica lags beyond REPLICA_MAX_LAG_SECONDS, and reports the lag", async () => {
    await caughtUp();
    await onServer(cluster.replicaAdminUrl, "SELECT pg_wal_replay_pause()");
    try {
      await upload(other, 1); // WAL the paused replica will not replay
      const lagging = await until("the replica to lag beyond 1 s", replicaReport, (report) => report.status === "lagging");
      expect(lagging.lagSeconds).toBeGreaterThan(1);
      const before = await counts();
      const dashboard = await get("/dashboard", other.keys.VIEWER.headers);
      expect(dashboard.totals).toMatchObject({ uploads: 2, claimLines: 3 });
      await get("/drift-events", other.keys.VIEWER.headers);
      const after = await counts();
      expect(after.primary - before.primary).toBe(2);
      expect(after.replica - before.replica).toBe(0);

      const ready = await readiness();
      expect(ready.status).toBe("ready");
      expect(ready.replica.status).toBe("lagging");
      expect(ready.replica.lagSeconds).toBeGreaterThan(1);
      expect(await metricValue("driftline_replica_lag_seconds")).toBeGreaterThan(1);
    } finally {
      await onServer(cluster.replicaAdminUrl, "SELECT pg_wal_replay_resume()");
    }
    // Replay resumed: the replica catches up and serves reads again.
    await caughtUp();
    const before = await counts();
    await until(
      "a read served by the replica",
      async () => {
        await get("/alerts", tenant.keys.VIEWER.headers);
        return (await counts()).replica - before.replica;
      },
      (served) => served > 0,
    );
  });

  it("measures the replica's lag and read share under a mix of reads and the caller's own writes", async () => {
    await caughtUp();
    const before = await counts();
    const lags: number[] = [];
    const reads = ["/dashboard", "/uploads", "/drift-events", "/alerts", "/claims/payer-summary", "/uploads/stats"];
    for (let i = 0; i < 60; i += 1) {
      if (i % 10 === 9) await upload(tenant, 5);
      else await get(reads[i % reads.length]!, tenant.keys.VIEWER.headers);
      const report = await replicaReport();
      if (report.lagSeconds !== null) lags.push(report.lagSeconds);
    }
    const after = await counts();
    const replica = after.replica - before.replica;
    const primary = after.primary - before.primary;
    expect(replica + primary).toBe(54);
    lags.sort((a, b) => a - b);
    const share = replica / (replica + primary);
    console.log(
      `replica figures: ${replica + primary} eligible reads (6 writes interleaved), read share ${(share * 100).toFixed(0)} %, ` +
        `lag median ${(lags[Math.floor(lags.length / 2)]! * 1000).toFixed(1)} ms, max ${(lags.at(-1)! * 1000).toFixed(1)} ms (${lags.length} samples)`,
    );
    const metricShare = await metricValue("driftline_replica_read_share");
    expect(metricShare).toBeGreaterThan(0);
    expect(metricShare).toBeLessThanOrEqual(1);
    expect(replica).toBeGreaterThan(0);
  });

  it("generates an export from the replica; its progress and result are written on the primary", async () => {
    await caughtUp();
    const headers = new Headers(tenant.keys.ANALYST.headers);
    headers.set("content-type", "application/json");
    const logFrom = cluster.replicaLog().length;
    await until(
      "an export generated from the replica",
      async () => {
        const response = await fetch(`${server.baseUrl}/exports`, {
          method: "POST",
          headers,
          body: JSON.stringify({ kind: "PAYER_SCORECARD", params: { from: "2024-01-01", to: "2024-12-31" } }),
        });
        expect(response.status).toBeLessThan(300);
        const { id } = (await response.json()) as { id: string };
        const before = await counts();
        await runExport(id); // what the export worker does with the queued job
        const after = await counts();
        expect(after.replica - before.replica + (after.primary - before.primary)).toBe(1);
        expect(await get(`/exports/${id}`, tenant.keys.ANALYST.headers)).toMatchObject({ status: "SUCCEEDED", rowCount: 1 });
        return after.replica - before.replica;
      },
      (served) => served === 1,
    );
    const entries = cluster
      .replicaLog()
      .slice(logFrom)
      .split(/\n(?=user=)/)
      .filter((entry) => entry.startsWith(`user=${tenantLogin()} `));
    expect(entries.some((entry) => entry.includes("percentile_cont"))).toBe(true);
  });

  it("falls back to the primary without errors when the replica is down", async () => {
    await cluster.stopReplica();
    const before = await counts();
    const dashboard = await get("/dashboard", tenant.keys.VIEWER.headers);
    expect((dashboard.totals as { uploads: number }).uploads).toBeGreaterThanOrEqual(2);
    const uploads = await get("/uploads", tenant.keys.VIEWER.headers);
    expect(uploads.items!.length).toBeGreaterThanOrEqual(2);
    await get("/claims/payer-summary", tenant.keys.VIEWER.headers);
    const after = await counts();
    expect(after.primary - before.primary).toBe(3);
    expect(after.replica - before.replica).toBe(0);
    const ready = await readiness();
    expect(ready.status).toBe("ready");
    expect(ready.replica.status).toBe("unreachable");
    expect(await metricValue("driftline_replica_lag_seconds")).toBe(-1);
  });
});
