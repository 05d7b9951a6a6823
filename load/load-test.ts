/**
 * Load test: `npm run load -- [--duration S] [--connections N] [--json FILE]`.
 *
 * Starts nothing: it targets a running Driftline at BASE_URL (default http://127.0.0.1:3000,
 * loopback only) with autocannon. Callers are API keys of many tenants: LOAD_API_KEYS
 * (comma-separated) when set, else keys created through the CLI
 * (`npm run driftline -- create-api-key`, which attaches to the running app's embedded database:
 * run with the app's DRIFTLINE_DATA_DIR, or its database variables) for the demo tenants, cached in
 * LOAD_KEYS_FILE (default .data/load-keys.json, checked with GET /customers/me before use).
 *
 * Every request picks a tenant by a Pareto (Zipf) law — the top 20 % of tenants send 80 % of
 * the requests — then one of that tenant's keys, then a scenario by weight: dashboard, payer
 * scorecard, drift list, drift detail, alert list, acknowledge, and a trickle of uploads and
 * run triggers (at most one per --upload-every / --run-every seconds across all connections).
 *
 * Before the mix, the same connections hit the trivial liveness route (`GET /api/health`: no
 * database, no auth) for --ceiling-duration seconds: the framework's own ceiling on this machine
 * in this run. The mix's requests/s over that ceiling is `throughputToCeiling`, a ratio that
 * holds on a noisy shared machine where absolute requests/s do not.
 *
 * Reports overall and per-scenario p50/p95/p99 latency, requests/s, errors and non-2xx with 429
 * counted apart, and exits 1 when a threshold fails: p95 above --p95 (default 300 ms), any
 * error (connection error, timeout, 5xx, or a 4xx other than 429), or throughputToCeiling below
 * --min-ceiling-ratio (default 0.4; 0 turns the check off).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { paretoExponent, zipfWeights } from "../prisma/seed/random";
import { tenantSlug } from "../prisma/seed/tenants";

const log = (message: string) => console.error(message);

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    connections: { type: "string", default: "50" },
    json: { type: "string" },
    p95: { type: "string", default: "300" },
    warmup: { type: "string", default: "5" },
    tenants: { type: "string", default: "5" },
    "keys-per-tenant": { type: "string", default: "2" },
    "upload-every": { type: "string", default: "3" },
    "run-every": { type: "string", default: "10" },
    timeout: { type: "string", default: "10" },
    "ceiling-duration": { type: "string", default: "10" },
    "min-ceiling-ratio": { type: "string", default: "0.4" },
  },
  allowPositionals: false,
});

const num = (name: keyof typeof flags, min: number) => {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}`);
  return value;
};
const DURATION = num("duration", 1);
const CONNECTIONS = Math.round(num("connections", 1));
const P95_LIMIT = num("p95", 1);
const WARMUP = num("warmup", 0);
const TENANTS = Math.round(num("tenants", 1));
const KEYS_PER_TENANT = Math.round(num("keys-per-tenant", 1));
const UPLOAD_EVERY_MS = num("upload-every", 0) * 1000;
const RUN_EVERY_MS = num("run-every", 0) * 1000;
const TIMEOUT = num("timeout", 1);
const CEILING_DURATION = num("ceiling-duration", 1);
const MIN_CEILING_RATIO = num("min-ceiling-ratio", 0);

const BASE_URL = new URL(process.env.BASE_URL ?? "http://127.0.0.1:3000");
if (!["127.0.0.1", "localhost", "[::1]"].includes(BASE_URL.hostname)) {
  console.error(`load: BASE_URL must point at this machine (127.0.0.1, localhost or [::1]), not ${BASE_URL.hostname}`);
  process.exit(2);
}
const API = `${BASE_URL.origin}/api/v1`;

interface TTenant {
  slug: string;
  keys: string[];
  driftEventIds: string[];
  alertIds: string[];
}

async function api<T>(key: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${API}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
}

function createKeyWithCli(slug: string, role: "ADMIN" | "ANALYST"): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "npm",
      ["run", "--silent", "driftline", "--", "create-api-key", "--customer", slug, "--role", role, "--name", `load test ${role.toLowerCase()}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: process.env,
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("exit", (code) => {
      const key = out.trim().split("\n").pop()?.trim() ?? "";
      if (code === 0 && key) resolve(key);
      else reject(new Error(`create-api-key --customer ${slug} failed (exit ${code}): ${err.trim() || out.trim()}`));
    });
  });
}

/** Keys grouped by tenant slug: LOAD_API_KEYS, a cached key file, or new keys from the CLI. */
async function tenantKeys(): Promise<Map<string, string[]>> {
  const bySlug = new Map<string, string[]>();
  const identify = async (key: string) => {
    const me = await api<{ customer: { slug: string } }>(key, "GET", "/customers/me");
    return me.status === 200 ? me.json.customer.slug : null;
  };
  const add = (slug: string, key: string) => bySlug.set(slug, [...(bySlug.get(slug) ?? []), key]);

  if (process.env.LOAD_API_KEYS) {
    for (const key of process.env.LOAD_API_KEYS.split(",")
      .map((k) => k.trim())
      .filter(Boolean)) {
      const slug = await identify(key);
      if (!slug) throw new Error(`LOAD_API_KEYS: key ${key.slice(0, 12)}… is not accepted by ${API}`);
      add(slug, key);
    }
    return bySlug;
  }

  const file = process.env.LOAD_KEYS_FILE ?? path.resolve(".data/load-keys.json");
  const cacheKey = BASE_URL.origin;
  const cache = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, string[]>>) : {};
  const slugs = Array.from({ length: TENANTS }, (_, i) => tenantSlug(i).slug);
  for (const slug of slugs) {
    for (const key of cache[cacheKey]?.[slug] ?? []) if ((await identify(key)) === slug) add(slug, key);
  }
  const missing = slugs.flatMap((slug) => Array.from({ length: Math.max(0, KEYS_PER_TENANT - (bySlug.get(slug)?.length ?? 0)) }, () => slug));
  if (missing.length > 0) log(`load: creating ${missing.length} API keys with the CLI (npm run driftline -- create-api-key)…`);
  // One at a time: two CLI processes starting at once can collide on the catalogue ("tuple
  // concurrently updated"). Each tenant's first key is ADMIN (it may have to add an alert rule).
  for (const slug of missing) add(slug, await createKeyWithCli(slug, bySlug.get(slug)?.length ? "ANALYST" : "ADMIN"));
  cache[cacheKey] = Object.fromEntries(bySlug);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(cache, null, 2), { mode: 0o600 });
  return bySlug;
}

/**
 * Ids for the detail and acknowledge scenarios. A demo tenant that has no alerts yet gets an
 * alert rule and one detection run first (through the API, with its ADMIN key), as a clinic
 * would set itself up; that happens once, before measuring.
 */
async function prepareTenant(slug: string, keys: string[]): Promise<TTenant> {
  type TList = { items: Array<{ id: string }> };
  const key = keys[0]!;
  let alerts = await api<TList>(key, "GET", "/alerts?limit=100");
  if (alerts.status !== 200) throw new Error(`GET /alerts for ${slug}: HTTP ${alerts.status}`);
  if (alerts.json.items.length === 0) {
    const rules = await api<TList>(key, "GET", "/alert-rules?limit=1");
    if (rules.status === 200 && rules.json.items.length === 0) {
      const created = await api(key, "POST", "/alert-rules", { name: "Load test: every drift" });
      if (created.status !== 200)
        log(`load: ${slug}: could not add an alert rule (HTTP ${created.status}); the acknowledge scenario will use the alert list instead`);
    }
    const run = await api<{ id: string }>(key, "POST", "/reports/trigger", {});
    if (run.status !== 200) log(`load: ${slug}: POST /reports/trigger answered HTTP ${run.status}`);
    if (run.status === 200) {
      log(`load: ${slug}: detection run ${run.json.id} so there are drift events and alerts…`);
      for (let i = 0; i < 120; i += 1) {
        const state = await api<{ status: string }>(key, "GET", `/reports/${run.json.id}`);
        if (["SUCCEEDED", "FAILED"].includes(state.json.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    alerts = await api<TList>(key, "GET", "/alerts?limit=100");
  }
  const events = await api<TList>(key, "GET", "/drift-events?limit=100");
  return { slug, keys, driftEventIds: events.json?.items?.map((e) => e.id) ?? [], alertIds: alerts.json?.items?.map((a) => a.id) ?? [] };
}

type TScenario = "dashboard" | "payerSummary" | "driftList" | "driftDetail" | "alertsList" | "acknowledge" | "upload" | "runTrigger";
const WEIGHTS: Array<[TScenario, number]> = [
  ["dashboard", 25],
  ["payerSummary", 15],
  ["driftList", 20],
  ["driftDetail", 17],
  ["alertsList", 15],
  ["acknowledge", 8],
];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function weighted<T>(entries: ReadonlyArray<[T, number]>): T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let roll = Math.random() * total;
  for (const [value, weight] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

let uploadSeq = 0;
function uploadCsv(): string {
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  const header = "submitterClaimId,lineNumber,payerName,cptCode,units,serviceDate,submittedAt,decidedAt,paidAt,billedAmount,allowedAmount,paidAmount,outcome";
  uploadSeq += 1;
  const rows = Array.from({ length: 25 }, (_, i) => {
    const denied = i % 9 === 0;
    return `LOAD-${process.pid}-${Date.now()}-${uploadSeq}-${i},1,Aetna,99213,1,${day(12)},${day(10)},${day(2)},${denied ? "" : day(1)},180.00,${denied ? "" : "110.00"},${denied ? "0.00" : "88.00"},${denied ? "DENIED" : "PAID"}`;
  });
  return `${header}\n${rows.join("\n")}\n`;
}

interface TStats {
  latencies: number[];
  statuses: Map<number, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarise(stats: TStats, seconds: number) {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const count = (test: (status: number) => boolean) => [...stats.statuses].filter(([s]) => test(s)).reduce((sum, [, n]) => sum + n, 0);
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    requests: sorted.length,
    requestsPerSecond: r(sorted.length / seconds),
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1] ?? NaN),
    ok2xx: count((s) => s >= 200 && s < 300),
    non2xx: count((s) => s < 200 || s >= 300),
    rateLimited429: count((s) => s === 429),
    client4xx: count((s) => s >= 400 && s < 500 && s !== 429),
    server5xx: count((s) => s >= 500),
    statuses: Object.fromEntries([...stats.statuses].sort(([a], [b]) => a - b)),
  };
}

async function runOnce(tenants: TTenant[], seconds: number, record: boolean) {
  const weights = zipfWeights(tenants.length, paretoExponent(tenants.length, 0.2, 0.8));
  const tenantTable = tenants.map((t, i) => [t, weights[i]!] as [TTenant, number]);
  let nextUpload = Date.now() + 1000;
  let nextRun = Date.now() + 2000;
  const perScenario = new Map<string, TStats>();
  const overall: TStats = { latencies: [], statuses: new Map() };
  const perTenant = new Map<string, number>();

  type TContext = { scenario?: TScenario; tenant?: string };
  let settle: (value: autocannon.Result) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: BASE_URL.origin,
      connections: CONNECTIONS,
      duration: seconds,
      timeout: TIMEOUT,
      requests: [
        {
          setupRequest: (request: autocannon.Request, context: TContext) => {
            const tenant = weighted(tenantTable);
            const headers: Record<string, string> = { authorization: `Bearer ${pick(tenant.keys)}` };
            const now = Date.now();
            let scenario: TScenario;
            if (UPLOAD_EVERY_MS > 0 && now >= nextUpload) {
              nextUpload = now + UPLOAD_EVERY_MS;
              scenario = "upload";
            } else if (RUN_EVERY_MS > 0 && now >= nextRun) {
              nextRun = now + RUN_EVERY_MS;
              scenario = "runTrigger";
            } else {
              scenario = weighted(WEIGHTS);
              if (scenario === "driftDetail" && tenant.driftEventIds.length === 0) scenario = "driftList";
              if (scenario === "acknowledge" && tenant.alertIds.length === 0) scenario = "alertsList";
            }
            context.scenario = scenario;
            context.tenant = tenant.slug;
            switch (scenario) {
              case "dashboard":
                return { ...request, method: "GET", path: "/api/v1/dashboard", headers };
              case "payerSummary":
                return { ...request, method: "GET", path: "/api/v1/claims/payer-summary", headers };
              case "driftList":
                return {
                  ...request,
                  method: "GET",
                  path: `/api/v1/drift-events?limit=${pick([25, 50])}&ordering=${pick(["-severity", "-lastDetectedAt"])}`,
                  headers,
                };
              case "driftDetail":
                return { ...request, method: "GET", path: `/api/v1/drift-events/${pick(tenant.driftEventIds)}`, headers };
              case "alertsList":
                return { ...request, method: "GET", path: "/api/v1/alerts?limit=25", headers };
              case "acknowledge":
                return {
                  ...request,
                  method: "POST",
                  path: `/api/v1/alerts/${pick(tenant.alertIds)}/acknowledge`,
                  headers: { ...headers, "content-type": "application/json" },
                  body: "{}",
                };
              case "upload":
                return { ...request, method: "POST", path: "/api/v1/uploads", headers: { ...headers, "content-type": "text/csv" }, body: uploadCsv() };
              case "runTrigger":
                return { ...request, method: "POST", path: "/api/v1/reports/trigger", headers: { ...headers, "content-type": "application/json" }, body: "{}" };
            }
          },
        },
      ],
    },
    (error, result) => (error ? fail(error) : settle(result)),
  );
  // The 'response' event comes before the next setupRequest, so the client's context still names
  // the scenario of the request this answer belongs to.
  instance.on("response", (client, status, _bytes, ms) => {
    if (!record) return;
    const context = (client as { requestIterator?: { context?: TContext } }).requestIterator?.context ?? {};
    const scenario = context.scenario ?? "unknown";
    const stats: TStats = perScenario.get(scenario) ?? { latencies: [], statuses: new Map() };
    perScenario.set(scenario, stats);
    for (const s of [stats, overall]) {
      s.latencies.push(ms);
      s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    }
    if (context.tenant) perTenant.set(context.tenant, (perTenant.get(context.tenant) ?? 0) + 1);
  });
  const result = await finished;
  return { result, overall, perScenario, perTenant };
}

/** The trivial route at the same connection count: what the framework alone serves here, now. */
async function measureCeiling(seconds: number) {
  const result = await autocannon({ url: `${BASE_URL.origin}/api/health`, connections: CONNECTIONS, duration: seconds, timeout: TIMEOUT });
  const requests = result.requests.total;
  return {
    route: "GET /api/health",
    durationSeconds: seconds,
    requests,
    requestsPerSecond: Math.round((requests / seconds) * 10) / 10,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function main(): Promise<number> {
  log(`load: target ${BASE_URL.origin}`);
  const health = await fetch(`${API}/health`).catch((error: unknown) => {
    throw new Error(`nothing answers at ${BASE_URL.origin} (${String(error)}): start the app first (npm start)`);
  });
  if (!health.ok) throw new Error(`GET /api/v1/health: HTTP ${health.status}`);

  const keys = await tenantKeys();
  const tenants: TTenant[] = [];
  for (const [slug, list] of keys) tenants.push(await prepareTenant(slug, list));
  // Rank by size so the Pareto head is the biggest tenant, as in the demo data.
  log(
    `load: ${tenants.length} tenants, ${tenants.reduce((n, t) => n + t.keys.length, 0)} keys; ${CONNECTIONS} connections for ${DURATION} s (warm-up ${WARMUP} s)`,
  );

  log(`load: ceiling, GET /api/health with ${CONNECTIONS} connections for ${CEILING_DURATION} s…`);
  const ceiling = await measureCeiling(CEILING_DURATION);
  if (WARMUP > 0) await runOnce(tenants, WARMUP, false);
  const { result, overall, perScenario, perTenant } = await runOnce(tenants, DURATION, true);
  const seconds = DURATION;
  const total = summarise(overall, seconds);
  const scenarios = Object.fromEntries([...perScenario].sort(([a], [b]) => a.localeCompare(b)).map(([name, stats]) => [name, summarise(stats, seconds)]));
  const errors = result.errors + result.timeouts + total.server5xx + total.client4xx;
  const failures: string[] = [];
  if (!(total.p95 < P95_LIMIT)) failures.push(`p95 ${total.p95} ms >= ${P95_LIMIT} ms`);
  const throughputToCeiling = ceiling.requestsPerSecond > 0 ? Math.round((total.requestsPerSecond / ceiling.requestsPerSecond) * 1000) / 1000 : 0;
  if (MIN_CEILING_RATIO > 0 && !(throughputToCeiling >= MIN_CEILING_RATIO)) failures.push(`throughputToCeiling ${throughputToCeiling} < ${MIN_CEILING_RATIO}`);
  if (errors > 0)
    failures.push(`${errors} errors (connection ${result.errors}, timeouts ${result.timeouts}, 5xx ${total.server5xx}, 4xx other than 429 ${total.client4xx})`);

  const report = {
    baseUrl: BASE_URL.origin,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    tenants: tenants.map((t) => ({ slug: t.slug, keys: t.keys.length, requests: perTenant.get(t.slug) ?? 0 })),
    overall: {
      ...total,
      connectionErrors: result.errors,
      timeouts: result.timeouts,
      errors,
      autocannon: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99 },
    },
    ceiling,
    throughputToCeiling,
    scenarios,
    thresholds: { p95Ms: P95_LIMIT, errors: 0, minThroughputToCeiling: MIN_CEILING_RATIO, passed: failures.length === 0, failures },
  };

  const row = (name: string, s: ReturnType<typeof summarise>) =>
    `  ${name.padEnd(14)} ${String(s.requests).padStart(7)} ${s.requestsPerSecond.toFixed(1).padStart(8)} ${s.p50.toFixed(1).padStart(8)} ${s.p95.toFixed(1).padStart(8)} ${s.p99.toFixed(1).padStart(8)} ${String(s.non2xx).padStart(7)} ${String(s.rateLimited429).padStart(5)} ${String(s.server5xx + s.client4xx).padStart(6)}`;
  console.log(`\nLoad test: ${CONNECTIONS} connections, ${seconds} s, ${BASE_URL.origin}`);
  console.log(
    `  ${"scenario".padEnd(14)} ${"reqs".padStart(7)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"non2xx".padStart(7)} ${"429".padStart(5)} ${"errors".padStart(6)}`,
  );
  for (const [name, s] of Object.entries(scenarios)) console.log(row(name, s));
  console.log(row("ALL", total));
  console.log(`  tenants (requests): ${report.tenants.map((t) => `${t.slug} ${t.requests}`).join(", ")}`);
  console.log(`  connection errors ${result.errors}, timeouts ${result.timeouts}`);
  console.log(
    `  ceiling (${ceiling.route}, same connections): ${ceiling.requestsPerSecond} req/s, p50 ${ceiling.p50} ms; throughputToCeiling ${throughputToCeiling}`,
  );
  console.log(failures.length === 0 ? `PASS: p95 < ${P95_LIMIT} ms, 0 errors, throughputToCeiling >= ${MIN_CEILING_RATIO}` : `FAIL: ${failures.join("; ")}`);
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
