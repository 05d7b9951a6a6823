/**
 * The benchmark runner: `npm run bench -- [--quick] [--json FILE]`.
 *
 * One process, one throw-away database: an embedded PostgreSQL in a temporary directory, or —
 * when DATABASE_URL is set — a fresh database on that server, created here and dropped after.
 * Every data set comes from the deterministic generator (prisma/seed, seed 42) or set-based test
 * data (src/test/read-side-data.ts). It runs, in this order:
 *
 *   ingest     load/bench-ingest.ts     the upload service vs plain COPY of the same file, and vs COPY of
 *                                       the rows it stored into a copy of claim_lines (same constraints)
 *   detection  load/bench-detection.ts  a whole detection run vs the bare aggregate it needs
 *   pagination load/bench-read.ts       deep page vs first page, by cursor and by OFFSET
 *   webhooks   load/bench-webhooks.ts   deliveries/s with worker processes (when it exports benchWebhooks)
 *   queries    SQL statements per list request at page size 1, 10 and 100 (Prisma query events)
 *   api        a REST list request through the REST door vs replaying the SQL it ran
 *
 * Ratios are measured side by side in this run, so they mean something on any machine; absolute
 * times depend on the machine (BENCHMARKS.md says which one). `--quick` uses small sizes and is
 * what `npm test` runs (src/test/bench-quick.test.ts), asserting ratios and counts only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const log = (message: string) => console.error(message);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

interface TSizes {
  ingestLines: number;
  detectionLines: number;
  detectionRepeat: number;
  readLines: number;
  readRepeat: number;
  webhookCount: number;
  apiRepeat: number;
}

const FULL: TSizes = {
  ingestLines: 1_000_000,
  detectionLines: 1_000_000,
  detectionRepeat: 3,
  readLines: 1_000_000,
  readRepeat: 5,
  webhookCount: 10_000,
  apiRepeat: 200,
};
const QUICK: TSizes = { ingestLines: 50_000, detectionLines: 40_000, detectionRepeat: 3, readLines: 30_000, readRepeat: 7, webhookCount: 1_000, apiRepeat: 60 };

export interface TBenchReport {
  mode: "quick" | "full";
  sizes: TSizes;
  machine: { cpus: number; memoryGiB: number; node: string; postgres: string };
  startedAt: string;
  elapsedSeconds: number;
  ingest: {
    lines: number;
    linesPerSecond: number;
    copyLinesPerSecond: number;
    ratioToCopy: number;
    copyIntoClaimLinesPerSecond: number;
    ratioToCopyIntoClaimLines: number;
    peakRssMiB: number;
  };
  detection: { linesInWindows: number; runSeconds: number; bareAggregateSeconds: number; ratioToBareAggregate: number; linesPerSecond: number };
  pagination: {
    claimLines: number;
    cursorFirstMs: number;
    cursorDeepMs: number;
    cursorDeepToFirstRatio: number;
    pageDeepToFirstRatio: number;
    offsetFirstMs: number;
    offsetDeepMs: number;
    offsetDeepToFirstRatio: number;
    dashboardComputedMs: number;
    dashboardCachedMs: number;
  };
  queries: Record<string, { size1: number; size10: number; size100: number }>;
  api: { request: string; statements: number; restMs: number; restMsFetch: number; bareSqlMs: number; listOverheadRatio: number };
  webhooks: { deliveriesPerSecond: number | null; deliveries: number | null; note: string };
}

function argsOf(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { quick: { type: "boolean" }, json: { type: "string" } }, allowPositionals: false });
  return { quick: values.quick === true, json: values.json };
}

let dropLogins: ((adminUrl: string) => Promise<void>) | undefined;

/** A fresh database for this run; `drop` removes it and stops the embedded server if we started one. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  // The owner (or an admin) login creates the database; the application's logins are made after.
  let adminUrl = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const { openEmbeddedDatabase } = await import("../src/server/db/embedded-postgres");
    const dataDir = mkdtempSync(path.join(tmpdir(), "driftline-bench-pg-"));
    const handle = await openEmbeddedDatabase({ dataDir, attach: false });
    adminUrl = handle.url;
    stopServer = async () => {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  const name = `driftline_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((error: unknown) => log(`bench: could not drop ${name}: ${String(error)}`));
      await cleanup.end();
      await dropLogins?.(adminUrl).catch(() => {});
      await stopServer();
    },
  };
}

/** Statements per request at page size 1, 10 and 100, counted from Prisma's query events. */
async function benchQueries(): Promise<{ queries: TBenchReport["queries"]; customerId: string }> {
  const { withQueryLog } = await import("../src/test/query-log");
  const { callerFor, createTestTenant } = await import("../src/test/factories");
  const { seedReadSide } = await import("../src/test/read-side-data");
  const { dashboardCache, payerSummaryCache } = await import("../src/server/services/dashboard/dashboard-cache");
  // Per-process caches would make the first size a hit and the others misses: count misses.
  const clearCaches = () => {
    dashboardCache.clear();
    payerSummaryCache.clear();
  };

  const tenant = await createTestTenant();
  await seedReadSide(tenant.customer.id, { payers: 5, linesPerPayer: 60, driftEvents: 150, activeDriftEvents: 20, runs: 120 });
  const caller = await callerFor(tenant.keys.ADMIN.headers);
  const lists: Record<string, (size: number) => Promise<unknown>> = {
    claimsList: (size) => caller.claims.list({ limit: size }),
    claimsListPage: (size) => caller.claims.list({ page: 2, pageSize: size }),
    payerSummary: (size) => caller.claims.payerSummary({ limit: size }),
    driftEventsList: (size) => caller.driftEvents.list({ limit: size }),
    driftEventsListPage: (size) => caller.driftEvents.list({ page: 1, pageSize: size }),
    driftEventsSearch: (size) => caller.driftEvents.list({ limit: size, search: "payer" }),
    driftEventsActive: (size) => caller.driftEvents.active({ limit: size }),
    reportsList: (size) => caller.reports.list({ limit: size }),
    reportsListPage: (size) => caller.reports.list({ page: 1, pageSize: size }),
    alertsList: (size) => caller.alerts.list({ limit: size }),
    alertsActive: (size) => caller.alerts.active({ limit: size }),
    uploadsList: (size) => caller.uploads.list({ limit: size }),
    auditEventsList: (size) => caller.auditEvents.list({ limit: size }),
    webhookDeliveriesList: (size) => caller.webhookDeliveries.list({ limit: size }),
  };
  const result: TBenchReport["queries"] = {};
  for (const [name, call] of Object.entries(lists)) {
    await call(1); // warm: first-use statements (settings, catalogues) are not per-request
    const counts: number[] = [];
    for (const size of [1, 10, 100]) {
      clearCaches();
      counts.push((await withQueryLog(() => call(size))).queries.length);
    }
    result[name] = { size1: counts[0]!, size10: counts[1]!, size100: counts[2]! };
  }
  // The dashboard is not paged: its lists (events, alerts, runs) grow with the data instead.
  const dashboard: number[] = [];
  for (const size of [1, 10, 100]) {
    const t = await createTestTenant();
    await seedReadSide(t.customer.id, { payers: 5, linesPerPayer: 20, driftEvents: size, activeDriftEvents: Math.min(size, 20), runs: size });
    const viewer = await callerFor(t.keys.VIEWER.headers);
    clearCaches();
    dashboard.push((await withQueryLog(() => viewer.dashboard.get())).queries.length);
  }
  result.dashboard = { size1: dashboard[0]!, size10: dashboard[1]!, size100: dashboard[2]! };
  return { queries: result, customerId: tenant.customer.id };
}

type TQueryEvent = { query: string; params: string };

/** GET over one kept-alive connection with node:http: a lean client, as pg is on the SQL side. */
function keptAliveGet(url: string, headers: Headers): () => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const plain = Object.fromEntries(headers.entries());
  return () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers: plain }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`))));
          res.on("error", reject);
        })
        .on("error", reject);
    });
}

/**
 * A REST list request (GET /api/v1/drift-events?limit=50, a VIEWER key, a tenant with 150 drift
 * events) through the web role's REST door over HTTP, against replaying on one pg connection
 * exactly the statements (text and parameters) Prisma issued for that request: what the
 * framework, auth, validation and serialisation add on top of the SQL. (The rate-limit counter
 * runs on its own pg pool outside Prisma, so it counts as overhead here.) A read-only list on
 * purpose: the claims list writes an audit row per read, which cannot be replayed verbatim.
 *
 * The statements are recorded with Prisma's query events; the timed requests then run on the
 * application's own clients (query events cost time per statement that production never pays).
 * The request is timed with a lean HTTP client (node:http, one kept-alive connection), like the
 * replay's pg client; `restMsFetch` is the same request through fetch, whose client side alone
 * costs a few milliseconds, for contrast.
 */
async function benchApi(customerId: string, repeat: number): Promise<TBenchReport["api"]> {
  const { db, disconnectDb, tenantClient } = await import("../src/server/db/client");
  const { tenantPreludeSql } = await import("../src/server/db/tenant-scope");
  const { createTestApiKey, startRestServer } = await import("../src/test/factories");
  const key = await createTestApiKey(customerId, "VIEWER");
  const server = await startRestServer();
  const events: Array<TQueryEvent & { login: "platform" | "tenant" }> = [];
  let recording = false;
  for (const [login, client] of [
    ["platform", db()],
    ["tenant", tenantClient()],
  ] as const) {
    (client as unknown as { $on(event: "query", listener: (event: TQueryEvent) => void): void }).$on("query", (event) => {
      if (recording) events.push({ ...event, login });
    });
  }
  const request = "GET /api/v1/drift-events?limit=50";
  const url = `${server.baseUrl}/drift-events?limit=50`;
  const fetchList = async () => {
    const response = await fetch(url, { headers: key.headers });
    if (response.status !== 200) throw new Error(`${request}: HTTP ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const getList = keptAliveGet(url, key.headers);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const tenantConnection = new pg.Client({ connectionString: process.env.DATABASE_TENANT_URL });
  await tenantConnection.connect();
  try {
    for (let i = 0; i < 5; i += 1) await getList(); // warm-up: module loading, key cache, plans
    recording = true;
    await getList();
    recording = false;
    // From here on, the application's own clients (without query events), warmed up again.
    await disconnectDb();
    for (let i = 0; i < 5; i += 1) await getList();
    // The tenant prelude is left out here and sent with BEGIN below, as the driver sends it.
    const statements = events
      .filter((event) => !/^(BEGIN|COMMIT|ROLLBACK)/i.test(event.query.trim()) && event.query !== tenantPreludeSql(customerId))
      .map((event) => ({ login: event.login, text: event.query, values: JSON.parse(event.params || "[]") as unknown[] }));
    const writes = statements.filter((s) => !/^\s*(SELECT|WITH)\b/i.test(s.text));
    const platformStatements = statements.filter((s) => s.login === "platform").map(({ text, values }) => ({ text, values }));
    const tenantStatements = statements.filter((s) => s.login === "tenant").map(({ text, values }) => ({ text, values }));
    if (writes.length > 0) throw new Error(`${request} writes (${writes.map((s) => s.text.slice(0, 60)).join("; ")}): pick a read-only list to replay`);
    if (process.env.BENCH_DEBUG) for (const s of statements) log(`  sql: ${s.text.slice(0, 200)} ${JSON.stringify(s.values).slice(0, 200)}`);
    // Tenant statements run as the request runs them: on the tenant login, in one transaction
    // with the tenant prelude (row-level security needs both), BEGIN and prelude in one round
    // trip as the application's driver sends them (pg-driver.ts), so the bare figure is the SQL
    // the request cannot do without.
    const prelude = `BEGIN; ${tenantPreludeSql(customerId)}`;
    const replay = async () => {
      let rows = 0;
      for (const statement of platformStatements) rows += (await client.query(statement)).rowCount ?? 0;
      if (tenantStatements.length === 0) return rows;
      await tenantConnection.query(prelude);
      for (const statement of tenantStatements) rows += (await tenantConnection.query(statement)).rowCount ?? 0;
      await tenantConnection.query("COMMIT");
      return rows;
    };
    // A replay that sees no rows (no tenant in scope, say) would time nothing worth comparing.
    if ((await replay()) === 0) throw new Error(`${request}: the replayed statements returned no rows`);
    await fetchList();
    const restSamples: number[] = [];
    const fetchSamples: number[] = [];
    const bareSamples: number[] = [];
    // Interleaved, so all three see the same machine state.
    for (let i = 0; i < repeat; i += 1) {
      let started = performance.now();
      await getList();
      restSamples.push(performance.now() - started);
      started = performance.now();
      await replay();
      bareSamples.push(performance.now() - started);
      started = performance.now();
      await fetchList();
      fetchSamples.push(performance.now() - started);
    }
    const restMs = median(restSamples);
    const bareSqlMs = median(bareSamples);
    return {
      request,
      statements: statements.length,
      restMs: round(restMs, 2),
      restMsFetch: round(median(fetchSamples), 2),
      bareSqlMs: round(bareSqlMs, 2),
      listOverheadRatio: round(restMs / bareSqlMs),
    };
  } finally {
    await client.end();
    await tenantConnection.end();
    await server.close();
  }
}

/** load/bench-webhooks.ts plugs in once it exports `benchWebhooks(count, workers)`. */
async function benchWebhooksIfPresent(count: number): Promise<TBenchReport["webhooks"]> {
  const file = path.join(HERE, "bench-webhooks.ts");
  // Read before importing: a script that still runs itself on import must not be imported.
  if (!existsSync(file) || !/export async function benchWebhooks\b/.test(readFileSync(file, "utf8"))) {
    return { deliveriesPerSecond: null, deliveries: null, note: "load/bench-webhooks.ts does not export benchWebhooks(count, workers) yet" };
  }
  const module = (await import(/* @vite-ignore */ "./bench-webhooks")) as {
    benchWebhooks: (count: number, workers: number) => Promise<{ deliveries: number; burst: { deliveriesPerSecond: number } }>;
  };
  const summary = await module.benchWebhooks(count, 2);
  return {
    deliveriesPerSecond: summary.burst.deliveriesPerSecond,
    deliveries: summary.deliveries,
    note: "burst: N alerts committed at once, 2 worker processes, until the last is DELIVERED",
  };
}

function printTable(report: TBenchReport): void {
  const f = (value: number | null, digits = 2) => (value === null ? "n/a" : value.toLocaleString("en-US", { maximumFractionDigits: digits }));
  const rows: Array<[string, string, string]> = [
    ["ingest.linesPerSecond", f(report.ingest.linesPerSecond, 0), `COPY ${f(report.ingest.copyLinesPerSecond, 0)} lines/s`],
    [
      "ingest.ratioToCopyIntoClaimLines",
      f(report.ingest.ratioToCopyIntoClaimLines),
      `goal >= 0.8 (COPY into a copy of claim_lines ${f(report.ingest.copyIntoClaimLinesPerSecond, 0)} lines/s)`,
    ],
    ["ingest.ratioToCopy", f(report.ingest.ratioToCopy), "for contrast: COPY into an index-free table"],
    ["detection.runSeconds", f(report.detection.runSeconds, 3), `${f(report.detection.linesInWindows, 0)} lines in the windows`],
    ["detection.bareAggregateSeconds", f(report.detection.bareAggregateSeconds, 3), ""],
    ["detection.ratioToBareAggregate", f(report.detection.ratioToBareAggregate), "goal <= 1.5"],
    ["pagination.cursorDeepToFirstRatio", f(report.pagination.cursorDeepToFirstRatio), `goal <= 1.5 (${f(report.pagination.claimLines, 0)} lines, row 10,000)`],
    ["pagination.offsetDeepToFirstRatio", f(report.pagination.offsetDeepToFirstRatio), "for contrast: OFFSET grows with depth"],
    [
      "api.listOverheadRatio",
      f(report.api.listOverheadRatio),
      `${report.api.request}: ${f(report.api.restMs)} ms vs ${f(report.api.bareSqlMs)} ms SQL (through fetch ${f(report.api.restMsFetch)} ms)`,
    ],
    ["webhooks.deliveriesPerSecond", f(report.webhooks.deliveriesPerSecond, 0), report.webhooks.note],
  ];
  for (const [name, counts] of Object.entries(report.queries)) {
    const constant = counts.size1 === counts.size10 && counts.size10 === counts.size100;
    rows.push([`queries.${name}`, `${counts.size1} / ${counts.size10} / ${counts.size100}`, constant ? "constant in page size" : "GROWS with page size"]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `\nDriftline benchmarks (${report.mode}), ${report.machine.cpus} cores, Node ${report.machine.node}, PostgreSQL ${report.machine.postgres}, ${report.elapsedSeconds} s\n`,
  );
  for (const [name, value, note] of rows) console.log(`  ${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
  console.log("");
}

async function main(argv: string[]): Promise<void> {
  const options = argsOf(argv);
  const sizes = options.quick ? QUICK : FULL;
  const started = performance.now();
  // Benchmarks measure capacity, not rate limits: lift the per-caller read/write limits.
  process.env.RATE_LIMIT_OVERRIDES ??= JSON.stringify({ read: { points: 1_000_000_000 }, write: { points: 1_000_000_000 } });
  process.env.LOG_LEVEL ??= "warn";
  const database = await freshDatabase();
  process.env.DATABASE_URL = database.url;
  const { cpus, totalmem } = await import("node:os");
  try {
    const { migrateUp } = await import("../src/server/db/migrations");
    await migrateUp(database.url);
    const { useThrowawayLogins } = await import("./throwaway-database");
    dropLogins = await useThrowawayLogins(database.url);
    const versionClient = new pg.Client({ connectionString: database.url });
    await versionClient.connect();
    const version = (await versionClient.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    await versionClient.end();

    log(`bench: ingest, ${sizes.ingestLines.toLocaleString("en-US")} lines…`);
    const { benchIngest } = await import("./bench-ingest");
    const ingest = await benchIngest(sizes.ingestLines, log);

    log(`bench: detection, ~${sizes.detectionLines.toLocaleString("en-US")} lines in the windows…`);
    const { benchDetection } = await import("./bench-detection");
    const detection = await benchDetection(sizes.detectionLines, sizes.detectionRepeat);

    log(`bench: read side, ${sizes.readLines.toLocaleString("en-US")} lines…`);
    const { benchRead } = await import("./bench-read");
    const read = await benchRead(sizes.readLines, sizes.readRepeat);

    log(`bench: webhooks, ${sizes.webhookCount.toLocaleString("en-US")} deliveries…`);
    const webhooks = await benchWebhooksIfPresent(sizes.webhookCount);

    // Statement counting needs a Prisma client that emits query events: swap it in now.
    const { disconnectDb } = await import("../src/server/db/client");
    await disconnectDb();
    const { installQueryLog } = await import("../src/test/query-log");
    installQueryLog();
    log("bench: SQL statements per list request…");
    const { queries, customerId: listTenant } = await benchQueries();
    log("bench: REST list overhead…");
    const api = await benchApi(listTenant, sizes.apiRepeat);

    const report: TBenchReport = {
      mode: options.quick ? "quick" : "full",
      sizes,
      machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.versions.node, postgres: version },
      startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
      elapsedSeconds: Math.round((performance.now() - started) / 1000),
      ingest: {
        lines: ingest.lines,
        linesPerSecond: Math.round(ingest.linesPerSecond),
        copyLinesPerSecond: Math.round(ingest.copyLinesPerSecond),
        ratioToCopy: round(ingest.ratioToCopy),
        copyIntoClaimLinesPerSecond: Math.round(ingest.copyIntoClaimLinesPerSecond),
        ratioToCopyIntoClaimLines: round(ingest.ratioToCopyIntoClaimLines),
        peakRssMiB: Math.round(ingest.peakRssBytes / 2 ** 20),
      },
      detection: {
        linesInWindows: detection.linesInWindows,
        runSeconds: round(detection.runMs / 1000),
        bareAggregateSeconds: round(detection.aggregateMs / 1000),
        ratioToBareAggregate: round(detection.runMs / detection.aggregateMs),
        linesPerSecond: detection.linesPerSecond,
      },
      pagination: {
        claimLines: read.claimLines,
        cursorFirstMs: round(read.ms.cursorFirst, 2),
        cursorDeepMs: round(read.ms.cursorDeep, 2),
        cursorDeepToFirstRatio: round(read.cursorDeepToFirstRatio),
        pageDeepToFirstRatio: round(read.pageDeepToFirstRatio),
        offsetFirstMs: round(read.ms.bareFirst, 2),
        offsetDeepMs: round(read.ms.bareDeep, 2),
        offsetDeepToFirstRatio: round(read.offsetDeepToFirstRatio),
        dashboardComputedMs: round(read.ms.dashboardCold, 2),
        dashboardCachedMs: round(read.ms.dashboardCached, 2),
      },
      queries,
      api,
      webhooks,
    };
    report.elapsedSeconds = Math.round((performance.now() - started) / 1000);
    printTable(report);
    if (options.json) {
      writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
      log(`bench: wrote ${options.json}`);
    }
  } finally {
    const { stopQueue } = await import("../src/server/jobs/queue");
    const { closeIngestPool } = await import("../src/server/services/ingestion/ingest-pool");
    const { disconnectDb } = await import("../src/server/db/client");
    const { closeRateLimitStore } = await import("../src/server/lib/rate-limit");
    // The ingest benchmark's applied upload queued a detection run: stop the queue first.
    await stopQueue({ graceful: false }).catch(() => {});
    await Promise.allSettled([closeIngestPool(), disconnectDb(), closeRateLimitStore()]);
    await database.drop();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
