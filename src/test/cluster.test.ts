import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIfNeeded } from "@/cli/build-if-needed";
import { createPrismaClient } from "@/server/db/client";
import { freePort, openEmbeddedDatabase, type TDatabaseHandle } from "@/server/db/embedded-postgres";
import { migrateUp } from "@/server/db/migrations";
import { freshLoginPasswords, provisionAppLogins, type TAppLogins } from "@/server/db/app-logins";
import { createApiKey } from "@/server/services/api-keys/create-api-key";
import { encryptWebhookSecret, generateWebhookSecret } from "@/server/services/webhooks/webhook-secret";
import { seedDemo } from "../../prisma/seed/seed-demo";

/**
 * Several instances on one PostgreSQL, as real processes (PRODUCT.md §9): one embedded
 * PostgreSQL of its own (so no other test's jobs or deliveries are in play), TWO `start:web` and
 * TWO `start:worker` processes. Checks that rate limits are shared, concurrent triggers make one
 * run per tenant and no duplicate drift events, webhooks reach a local receiver once per
 * webhook-id even when a worker is SIGKILLed mid-batch, and SIGTERM drains a web instance under
 * load without failing accepted requests. Prints the figures it measured.
 */

const ROOT = process.cwd();
const RATE_LIMIT_POINTS = 5;
const DELIVERIES = 120;
const RECEIVER_DELAY_MS = 1_500;
const METRICS_TOKEN = "cluster-test-metrics-token-0123456789";

interface TChild {
  name: string;
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  port?: number;
}

const figures: Record<string, string | number> = {};
const children: TChild[] = [];
let database: TDatabaseHandle | undefined;
let dataDir: string | undefined;
let pool: pg.Pool | undefined;
let receiver: http.Server | undefined;
let url = "";
// The processes log in as the application's two logins; the test itself reads as the owner.
let logins: TAppLogins = { platformUrl: "", tenantUrl: "" };
const webs: TChild[] = [];
const workers: TChild[] = [];
const tenants: Array<{ id: string; slug: string; analystKey: string }> = [];
let rateKey = "";

function startChild(name: string, script: string, env: Record<string, string>, port?: number): TChild {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: ROOT,
    // Own process group: afterAll kills the group, whatever the child started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: logins.platformUrl,
      DATABASE_TENANT_URL: logins.tenantUrl,
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      RATE_LIMIT_OVERRIDES: JSON.stringify({ write: { points: RATE_LIMIT_POINTS, duration: 60 } }),
      ALLOW_PRIVATE_WEBHOOK_TARGETS: "true",
      WEBHOOK_TIMEOUT_MS: "4000",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    },
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split("\n").filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const entry = { name, process: child, output, exited, port };
  children.push(entry);
  return entry;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  const logs = children.map((c) => `--- ${c.name} (exit ${c.process.exitCode})\n${c.output.slice(-15).join("\n")}`).join("\n");
  throw new Error(`Timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}\n${logs}`);
}

const base = (web: TChild) => `http://127.0.0.1:${web.port}`;

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pool!.query<T>(sql, params)).rows;
}

/** One request on a fresh connection (no keep-alive), classified for the drain check. */
function probe(target: string): Promise<"ok" | "refused" | "reset" | "failed" | number> {
  return new Promise((resolve) => {
    const request = http.get(target, { agent: false, headers: { connection: "close" } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode === 200 ? "ok" : (response.statusCode ?? 0)));
      // Headers arrived, then the body broke: the request was accepted and failed.
      response.on("error", () => resolve("failed"));
      response.on("aborted", () => resolve("failed"));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") resolve("refused");
      // No response byte at all: the connection was reset before the server took the request.
      else if (error.code === "ECONNRESET") resolve("reset");
      else resolve("failed");
    });
  });
}

beforeAll(async () => {
  buildIfNeeded((message) => console.log(`[cluster] ${message}`));
  dataDir = mkdtempSync(path.join(tmpdir(), "driftline-cluster-"));
  database = await openEmbeddedDatabase({ dataDir, attach: false });
  url = database.url;
  await migrateUp(url);
  logins = await provisionAppLogins(url, freshLoginPasswords());
  pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => {});

  const seeded = await seedDemo(url, { tenants: 2, claims: 150_000, slugPrefix: "cluster", log: () => {} });
  const prisma = createPrismaClient(url, { max: 2 });
  try {
    for (const tenant of seeded.tenants) {
      const key = await createApiKey(prisma, { customerId: tenant.id }, { name: "cluster analyst", role: "ANALYST" });
      tenants.push({ id: tenant.id, slug: tenant.slug, analystKey: key.key });
    }
    rateKey = (await createApiKey(prisma, { customerId: tenants[0]!.id }, { name: "cluster rate limit", role: "ADMIN" })).key;
  } finally {
    await prisma.$disconnect();
  }

  const [portA, portB] = [await freePort(), await freePort()];
  webs.push(startChild("web-a", "src/cli/start-web.ts", { PORT: String(portA) }, portA));
  webs.push(startChild("web-b", "src/cli/start-web.ts", { PORT: String(portB), METRICS_TOKEN }, portB));
  workers.push(startChild("worker-1", "src/cli/start-worker.ts", {}));
  workers.push(startChild("worker-2", "src/cli/start-worker.ts", { WORKER_CONCURRENCY: "2" }));
  for (const web of webs) {
    await waitFor(`${web.name} to answer`, async () => (await fetch(`${base(web)}/api/health`)).ok);
  }
  await waitFor("two worker heartbeats", async () => (await query<{ n: number }>("SELECT count(*)::int AS n FROM worker_heartbeats"))[0]!.n === 2);
}, 600_000);

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null && child.process.pid) {
      try {
        process.kill(-child.process.pid, "SIGKILL");
      } catch {
        child.process.kill("SIGKILL");
      }
    }
  }
  await Promise.all(children.map((child) => Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5_000))])));
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await pool?.end();
  await database?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `[cluster] figures measured:\n${Object.entries(figures)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join("\n")}`,
  );
}, 60_000);

describe("two web instances and two workers on one PostgreSQL", () => {
  it("reports readiness with the workers' heartbeats, and serves metrics by token or loopback", async () => {
    for (const web of webs) {
      const ready = await fetch(`${base(web)}/api/ready`);
      const body = (await ready.json()) as { status: string; worker: { status: string; alive: number } };
      expect(ready.status).toBe(200);
      expect(body.worker).toMatchObject({ status: "ok", alive: 2 });
    }
    const loopback = await fetch(`${base(webs[0]!)}/api/metrics`);
    expect(loopback.status).toBe(200);
    const text = await loopback.text();
    expect(text).toContain("driftline_http_request_duration_seconds_bucket");
    expect(text).toMatch(/route="\/api\/ready"/);
    expect(text).toContain("driftline_queue_jobs");
    expect(text).toMatch(/driftline_db_connections\{state="(active|idle)"\} [1-9]/);
    expect(text).toMatch(/driftline_workers_alive 2/);
    expect((await fetch(`${base(webs[1]!)}/api/metrics`)).status).toBe(401);
    const withToken = await fetch(`${base(webs[1]!)}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(withToken.status).toBe(200);
  });

  it("shares rate limits: the allowed count across both instances equals the limit", async () => {
    const attempts = 16;
    const statuses = await Promise.all(
      Array.from({ length: attempts }, (_, i) =>
        fetch(`${base(webs[i % 2]!)}/api/v1/settings`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${rateKey}`, "content-type": "application/json" },
          body: "{}",
        }).then((response) => response.status),
      ),
    );
    const allowed = statuses.filter((status) => status !== 429).length;
    figures["rate limit: allowed of 16 writes over 2 instances (limit 5)"] = allowed;
    expect(allowed).toBe(RATE_LIMIT_POINTS);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  });

  it("concurrent triggers through both instances make one run per tenant and no duplicate drift events", async () => {
    const round = async () => {
      const requests = tenants.flatMap((tenant) =>
        [0, 1, 2, 3].map((i) =>
          fetch(`${base(webs[i % 2]!)}/api/v1/reports/trigger`, {
            method: "POST",
            headers: { authorization: `Bearer ${tenant.analystKey}`, "content-type": "application/json" },
            body: "{}",
          }).then(async (response) => ({ tenant: tenant.id, status: response.status, body: (await response.json()) as { id: string; created: boolean } })),
        ),
      );
      const answers = await Promise.all(requests);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      for (const tenant of tenants) {
        const mine = answers.filter((a) => a.tenant === tenant.id);
        expect(new Set(mine.map((a) => a.body.id)).size).toBe(1);
        expect(mine.filter((a) => a.body.created)).toHaveLength(1);
      }
      const started = Date.now();
      await waitFor(
        "the runs to finish",
        async () => {
          const [row] = await query<{ n: number }>(
            "SELECT count(*)::int AS n FROM detection_runs WHERE customer_id = ANY($1::uuid[]) AND status IN ('QUEUED', 'RUNNING')",
            [tenants.map((t) => t.id)],
          );
          return row!.n === 0;
        },
        120_000,
        200,
      );
      return Date.now() - started;
    };
    const firstMs = await round();
    const secondMs = await round();
    const runs = await query<{ status: string; n: number }>(
      "SELECT status::text AS status, count(*)::int AS n FROM detection_runs WHERE customer_id = ANY($1::uuid[]) GROUP BY 1",
      [tenants.map((t) => t.id)],
    );
    const duplicates = await query(
      `SELECT customer_id, payer_id, cpt_group, drift_type, coalesce(denial_reason, '') AS reason, count(*) FROM drift_events
       WHERE customer_id = ANY($1::uuid[]) AND status = 'ACTIVE' GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1`,
      [tenants.map((t) => t.id)],
    );
    const [active] = await query<{ n: number }>("SELECT count(*)::int AS n FROM drift_events WHERE customer_id = ANY($1::uuid[]) AND status = 'ACTIVE'", [
      tenants.map((t) => t.id),
    ]);
    figures["detection: runs by status after 2 rounds x 8 concurrent triggers"] = runs.map((r) => `${r.status}=${r.n}`).join(" ");
    figures["detection: round 1 / round 2 wait for runs (ms)"] = `${firstMs} / ${secondMs}`;
    figures["detection: active drift events / duplicates"] = `${active!.n} / ${duplicates.length}`;
    expect(runs).toEqual([{ status: "SUCCEEDED", n: 2 * tenants.length }]);
    expect(active!.n).toBeGreaterThan(0);
    expect(duplicates).toEqual([]);
  });

  it("delivers webhooks through both workers once per webhook-id, even when one worker is SIGKILLed mid-batch", async () => {
    const received: string[] = [];
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received.push(String(req.headers["webhook-id"]));
        setTimeout(() => res.writeHead(200).end("ok"), RECEIVER_DELAY_MS);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", () => resolve()));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const tenant = tenants[0]!;
    const [endpoint] = await query<{ id: string }>(
      "INSERT INTO webhook_endpoints (customer_id, url, event_types, secret_ciphertext) VALUES ($1, $2, ARRAY['webhook.test'], $3) RETURNING id::text AS id",
      [tenant.id, receiverUrl, encryptWebhookSecret(generateWebhookSecret())],
    );
    // Outbox rows written directly (as an alert transaction would), not through the alerts API.
    const started = Date.now();
    await query(
      `INSERT INTO webhook_deliveries (customer_id, endpoint_id, message_id, event_type, payload)
       SELECT $1::uuid, $2::uuid, 'msg_cluster_' || g, 'webhook.test',
         jsonb_build_object('type', 'webhook.test', 'timestamp', now(), 'data', jsonb_build_object('n', g))
       FROM generate_series(1, $3::int) AS g`,
      [tenant.id, endpoint!.id, DELIVERIES],
    );
    // Mid-batch: requests have reached the receiver and their answers are still pending.
    await waitFor("the first webhook requests", async () => received.length >= 10, 30_000, 20);
    const [inFlight] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM webhook_deliveries d WHERE d.endpoint_id = $1::uuid AND status = 'PENDING' AND attempt_count > 0",
      [endpoint!.id],
    );
    workers[1]!.process.kill("SIGKILL");
    await workers[1]!.exited;
    figures["webhooks: claimed and in flight when worker-2 got SIGKILL"] = inFlight!.n;

    await waitFor(
      "every delivery to be DELIVERED",
      async () => {
        const [row] = await query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1::uuid AND status = 'DELIVERED'", [
          endpoint!.id,
        ]);
        return row!.n === DELIVERIES;
      },
      90_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, RECEIVER_DELAY_MS + 500));
    const distinct = new Set(received);
    figures["webhooks: outbox rows / distinct webhook-ids received / requests received (re-sends)"] =
      `${DELIVERIES} / ${distinct.size} / ${received.length} (${received.length - distinct.size})`;
    figures["webhooks: all delivered after (ms)"] = Date.now() - started;
    expect(distinct.size).toBe(DELIVERIES);
    expect([...distinct].every((id) => id.startsWith("msg_cluster_"))).toBe(true);
  });

  it("drains a web instance on SIGTERM under load: no accepted request fails", async () => {
    const web = webs[0]!;
    const counts = { ok: 0, refused: 0, reset: 0, failed: 0, other: 0, afterSignalOk: 0 };
    let signalledAt = 0;
    let stop = false;
    const loop = async (i: number) => {
      while (!stop) {
        const outcome = await probe(`${base(web)}${i % 2 === 0 ? "/api/ready" : "/api/health"}`);
        if (outcome === "ok") {
          counts.ok += 1;
          if (signalledAt) counts.afterSignalOk += 1;
        } else if (typeof outcome === "number") counts.other += 1;
        else counts[outcome] += 1;
        if (outcome === "refused") await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const loops = Array.from({ length: 8 }, (_, i) => loop(i));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    signalledAt = Date.now();
    web.process.kill("SIGTERM");
    const code = await web.exited;
    const exitMs = Date.now() - signalledAt;
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await Promise.all(loops);
    const drained = web.output.find((line) => line.startsWith("HTTP drained")) ?? "(no drain line)";
    figures["sigterm: requests ok / ok after SIGTERM / refused (not accepted) / reset before accepted / failed / non-200"] =
      `${counts.ok} / ${counts.afterSignalOk} / ${counts.refused} / ${counts.reset} / ${counts.failed} / ${counts.other}`;
    figures["sigterm: exit code, time to exit (ms)"] = `${code}, ${exitMs}`;
    figures["sigterm: web-a said"] = drained;
    expect(code).toBe(0);
    expect(drained).toMatch(/, 0 cut off, /);
    expect(counts.failed).toBe(0);
    expect(counts.other).toBe(0);
    expect(counts.ok).toBeGreaterThan(0);
    // The other instance keeps serving.
    expect((await fetch(`${base(webs[1]!)}/api/health`)).status).toBe(200);
  });

  it("stops a worker on SIGTERM: it exits cleanly and removes its heartbeat", async () => {
    const worker = workers[0]!;
    const signalledAt = Date.now();
    worker.process.kill("SIGTERM");
    const code = await worker.exited;
    figures["worker-1 SIGTERM: exit code, time to exit (ms)"] = `${code}, ${Date.now() - signalledAt}`;
    expect(code).toBe(0);
    // worker-2 was SIGKILLed: its row stays until it goes stale; worker-1's is gone.
    const rows = await query<{ pid: number }>("SELECT pid FROM worker_heartbeats");
    expect(rows.map((r) => r.pid)).not.toContain(worker.process.pid);
  });
});
