import pg from "pg";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { dashboardCache } from "@/server/services/dashboard/dashboard-cache";
import { computeDashboard } from "@/server/services/dashboard/get-dashboard";
import { callerFor, createTestSession, createTestSuperuser, createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { applicationQueries, installQueryLog, withQueryLog } from "@/test/query-log";
import { seedReadSide } from "@/test/read-side-data";

/**
 * The read side against a real PostgreSQL: dashboard and payer scorecard figures,
 * cache invalidation by data version, query counts that do not grow with page size (no N+1),
 * cursor walks that visit every row once while rows are inserted, page totals, the indexes the
 * aggregates use (EXPLAIN), and REST answers that validate against the OpenAPI document.
 */

installQueryLog();

let server: TRestServer;
let tenant: TTestTenant;
let payerIds: string[];

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
  ({ payerIds } = await seedReadSide(tenant.customer.id, { payers: 3, linesPerPayer: 400, driftEvents: 150, activeDriftEvents: 6, runs: 120 }));
});

afterAll(async () => {
  await server?.close();
});

const viewer = () => callerFor(tenant.keys.VIEWER.headers);

describe("dashboard.get", () => {
  it("sums the tenant's figures and fills 6 months of trend", async () => {
    dashboardCache.clear();
    const dashboard = await (await viewer()).dashboard.get();
    expect(dashboard.totals).toMatchObject({ claimLines: 1200, uploads: 1, activeDriftEvents: 6, pendingAlerts: 150 });
    // Active events i = 0..5 have impact 1000 + 10 i.
    expect(dashboard.totals.revenueAtRisk).toBe("6150.00");
    expect(dashboard.denialRateTrend).toHaveLength(6);
    const withLines = dashboard.denialRateTrend.filter((m) => m.decidedLines > 0);
    expect(withLines.length).toBeGreaterThanOrEqual(5);
    for (const month of withLines) expect(month.denialRate).toBeCloseTo(month.deniedLines / month.decidedLines, 10);
    const total = dashboard.denialRateTrend.reduce((sum, m) => sum + m.deniedLines, 0);
    expect(total).toBeGreaterThan(0);
    expect(dashboard.topDriftingPayers.length).toBe(3);
    expect(dashboard.topDriftingPayers.reduce((sum, p) => sum + p.activeEvents, 0)).toBe(6);
    expect(dashboard.recentAlerts).toHaveLength(5);
    expect(dashboard.lastRun?.status).toBe("SUCCEEDED");
  });

  it("is recomputed as soon as an upload changes the data version, on any instance", async () => {
    dashboardCache.clear();
    const caller = await viewer();
    const before = await caller.dashboard.get();
    const again = await caller.dashboard.get();
    expect(again.computedAt).toEqual(before.computedAt); // served from the cache
    await db().upload.create({
      data: { customerId: tenant.customer.id, filename: "late.csv", format: "CSV", sizeBytes: 1, contentHash: `late-${Date.now()}`, status: "APPLIED" },
    });
    const after = await caller.dashboard.get();
    expect(after.totals.uploads).toBe(before.totals.uploads + 1);
  });

  it("an alert change recomputes the alert figures only; an upload recomputes the claim-line figures too", async () => {
    dashboardCache.clear();
    const caller = await viewer();
    const customerId = tenant.customer.id;
    const before = await caller.dashboard.get();
    const claimRuns = dashboardCache.claimFigures.computations;
    const dashboardRuns = dashboardCache.computations;

    const alert = await db().alertEvent.findFirstOrThrow({ where: { customerId, status: "PENDING", suppressed: false } });
    await db().alertEvent.update({ where: { id: alert.id }, data: { status: "ACKNOWLEDGED", acknowledgedAt: new Date() } });
    const acknowledged = await caller.dashboard.get();
    expect(acknowledged.totals.pendingAlerts).toBe(before.totals.pendingAlerts - 1);
    expect(dashboardCache.computations).toBe(dashboardRuns + 1);
    expect(dashboardCache.claimFigures.computations).toBe(claimRuns); // the claim-line aggregates were not run again
    const { computedAt: _a, ...fromScratch } = await computeDashboard(customerId);
    expect({ ...acknowledged, computedAt: undefined }).toEqual({ ...fromScratch, computedAt: undefined });

    // A new upload with one line decided today: both parts move.
    const [upload] = await db().$queryRaw<{ id: string }[]>`
      INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, status, row_count, applied_count, completed_at)
      VALUES (${customerId}::uuid, 'one-more.csv', 'CSV', 0, gen_random_uuid()::text, 'APPLIED', 1, 1, now()) RETURNING id`;
    await db().$executeRaw`
      INSERT INTO claim_lines (customer_id, upload_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group,
        service_date, submitted_at, decided_at, billed_amount, allowed_amount, paid_amount, outcome, denial_group, denial_code)
      SELECT ${customerId}::uuid, ${upload!.id}::uuid, 'C-one-more', 1, m.payer_id, m.id, '99213', 'EM', current_date - 2, current_date - 1, current_date,
        200, NULL, 0, 'DENIED', 'CO', '97'
      FROM payer_mappings m WHERE m.customer_id = ${customerId}::uuid LIMIT 1`;
    const uploaded = await caller.dashboard.get();
    expect(dashboardCache.claimFigures.computations).toBe(claimRuns + 1);
    expect(uploaded.totals.claimLines).toBe(before.totals.claimLines + 1);
    expect(uploaded.totals.uploads).toBe(before.totals.uploads + 1);
    const month = new Date().toISOString().slice(0, 7);
    const deniedThisMonth = (d: typeof before) => d.denialRateTrend.find((m) => m.month === month)?.deniedLines ?? 0;
    expect(deniedThisMonth(uploaded)).toBe(deniedThisMonth(before) + 1);
  });

  it("never shows another tenant's figures", async () => {
    const other = await createTestTenant();
    const dashboard = await (await callerFor(other.keys.VIEWER.headers)).dashboard.get();
    expect(dashboard.totals).toMatchObject({ claimLines: 0, uploads: 0, activeDriftEvents: 0, pendingAlerts: 0, revenueAtRisk: "0.00" });
    expect(dashboard.topDriftingPayers).toEqual([]);
    expect(dashboard.recentAlerts).toEqual([]);
    expect(dashboard.lastRun).toBeNull();
  });
});

describe("claims.payerSummary", () => {
  it("counts outcomes per payer over the period and compares with the previous one", async () => {
    const summary = await (await viewer()).claims.payerSummary({});
    expect(summary.items.map((row) => row.payer.id).sort()).toEqual([...payerIds].sort());
    const days = (Date.parse(summary.to) - Date.parse(summary.from)) / 86_400_000 + 1;
    expect(days).toBe(90);
    for (const row of summary.items) {
      expect(row.paidCount + row.partialCount + row.deniedCount + row.otherCount).toBe(row.totalLines);
      expect(row.denialRate).toBeCloseTo(row.deniedCount / row.totalLines, 10);
      expect(row.deniedCount).toBeGreaterThan(0);
      expect(row.previous.totalLines).toBeGreaterThan(0);
      expect(row.sparkline).toHaveLength(8);
      expect(row.sparkline.reduce((sum, s) => sum + s.lines, 0)).toBe(row.totalLines);
      expect(row.avgAllowedAmount).toMatch(/^\d+\.\d{2}$/);
      expect(row.medianDaysToDecision).not.toBeNull();
    }
    expect(summary.totals.totalLines).toBe(summary.items.reduce((sum, row) => sum + row.totalLines, 0));
  });

  it("is served from the versioned cache until an upload changes the claim lines", async () => {
    const t = await createTestTenant();
    await seedReadSide(t.customer.id, { payers: 2, linesPerPayer: 50 });
    const caller = await callerFor(t.keys.VIEWER.headers);
    const before = await caller.claims.payerSummary({});
    const { queries } = await withQueryLog(() => caller.claims.payerSummary({}));
    expect(applicationQueries(queries), "a hit costs the version query only").toHaveLength(1);
    // …run as driftline_app for the tenant (row-level security), in one batch transaction.
    expect(queries[0]).toMatch(/^SELECT set_config\('role'/);
    await seedReadSide(t.customer.id, { payers: 1, linesPerPayer: 50 }); // a new upload with a new payer
    const after = await caller.claims.payerSummary({});
    expect(after.items.length).toBe(before.items.length + 1);
  });

  it("sorts by an allow-listed field and refuses others with a field error", async () => {
    const caller = await viewer();
    const byName = await caller.claims.payerSummary({ ordering: "-payer" });
    expect(byName.items.map((r) => r.payer.name)).toEqual([...byName.items.map((r) => r.payer.name)].sort().reverse());
    await expect(caller.claims.payerSummary({ ordering: "billedAmount" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.claims.payerSummary({ from: "2026-02-30" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.claims.payerSummary({ from: "2026-05-02", to: "2026-05-01" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("query counts do not grow with page size", () => {
  async function countsFor(call: (size: number) => Promise<unknown>) {
    const counts: number[] = [];
    for (const size of [1, 10, 100]) {
      const { queries } = await withQueryLog(() => call(size));
      counts.push(queries.length);
    }
    return counts;
  }

  it("dashboard: the same statements for 1, 10 and 100 events and alerts", async () => {
    const counts: number[] = [];
    for (const size of [1, 10, 100]) {
      const t = await createTestTenant();
      await seedReadSide(t.customer.id, { payers: 5, linesPerPayer: 20, driftEvents: size, activeDriftEvents: Math.min(size, 20), runs: size });
      const caller = await callerFor(t.keys.VIEWER.headers);
      dashboardCache.clear();
      const { queries, result } = await withQueryLog(() => caller.dashboard.get());
      expect(result.recentAlerts.length).toBe(Math.min(size, 5));
      counts.push(queries.length);
    }
    expect(new Set(counts).size, `dashboard statements ${counts.join(", ")}`).toBe(1);
  });

  it("payer scorecard (limit 1, 10, 100)", async () => {
    const caller = await viewer();
    const counts = await countsFor((size) => caller.claims.payerSummary({ limit: size }));
    expect(new Set(counts).size, counts.join(", ")).toBe(1);
  });

  it("drift events: cursor and page modes, list and active", async () => {
    const caller = await viewer();
    for (const [name, call] of [
      ["driftEvents.list (cursor)", (size: number) => caller.driftEvents.list({ limit: size })],
      ["driftEvents.list (page)", (size: number) => caller.driftEvents.list({ page: 2, pageSize: size })],
      ["driftEvents.list (search)", (size: number) => caller.driftEvents.list({ limit: size, search: "payer" })],
      ["driftEvents.active", (size: number) => caller.driftEvents.active({ limit: size })],
      ["reports.list (cursor)", (size: number) => caller.reports.list({ limit: size })],
      ["reports.list (page)", (size: number) => caller.reports.list({ page: 1, pageSize: size })],
      // The drift detail page's alerts with their rule, drift event and feedback.
      ["alerts.list by drift event (page)", (size: number) => caller.alerts.list({ page: 1, pageSize: size })],
      ["alerts.list (cursor)", (size: number) => caller.alerts.list({ limit: size })],
    ] as const) {
      const counts = await countsFor(call);
      expect(new Set(counts).size, `${name}: ${counts.join(", ")}`).toBe(1);
    }
  });
});

it("customers.list (the superuser's tenant switcher): cursor pages of 1, 10 and 100", async () => {
  const stamp = Date.now().toString(36);
  await db().customer.createMany({ data: Array.from({ length: 110 }, (_, i) => ({ slug: `switcher-${stamp}-${i}`, name: `Switcher ${stamp} ${i}` })) });
  const superuser = await createTestSuperuser();
  const caller = await callerFor((await createTestSession(superuser.id)).headers);
  const counts: number[] = [];
  for (const size of [1, 10, 100]) {
    const { queries, result } = await withQueryLog(() => caller.customers.list({ limit: size, ordering: "name" }));
    expect(result.items.length).toBe(size);
    counts.push(queries.length);
  }
  expect(new Set(counts).size, counts.join(", ")).toBe(1);
});

describe("pagination", () => {
  it("a cursor walk visits every drift event once while new events are inserted", async () => {
    const caller = await viewer();
    const before = new Set((await db().driftEvent.findMany({ where: { customerId: tenant.customer.id }, select: { id: true } })).map((r) => r.id));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await caller.driftEvents.list({ limit: 7, cursor, ordering: "-lastDetectedAt" });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      // Writers do not stop for readers: new history lands mid-walk.
      if (pages % 3 === 0) await seedReadSide(tenant.customer.id, { payers: 1, linesPerPayer: 1, driftEvents: 2, activeDriftEvents: 0 });
    } while (cursor && pages < 200);
    expect(new Set(seen).size, "no row twice").toBe(seen.length);
    expect(
      [...before].filter((id) => !seen.includes(id)),
      "no row missed",
    ).toEqual([]);
  });

  it("a cursor walk by severity (ties broken by id) visits every row once", async () => {
    const caller = await viewer();
    const all = await db().driftEvent.count({ where: { customerId: tenant.customer.id } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.driftEvents.list({ limit: 9, cursor, ordering: "severity" });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.length).toBe(all);
    expect(new Set(seen).size).toBe(all);
  });

  it("page mode: totals agree with the rows and the pages tile them", async () => {
    const caller = await viewer();
    const all = await db().detectionRun.count({ where: { customerId: tenant.customer.id } });
    const first = await caller.reports.list({ page: 1, pageSize: 25 });
    expect(first.total).toBe(all);
    expect(first.totalPages).toBe(Math.ceil(all / 25));
    const ids: string[] = [];
    for (let page = 1; page <= first.totalPages!; page += 1) {
      const answer = await caller.reports.list({ page, pageSize: 25 });
      expect(answer.total).toBe(all);
      ids.push(...answer.items.map((item) => item.id));
    }
    expect(ids.length).toBe(all);
    expect(new Set(ids).size).toBe(all);
  });
});

/** VACUUM is the table owner's (the application's logins may not): the migration login. */
async function asOwner(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("indexes serve the aggregates", () => {
  async function plan(sql: string, ...params: unknown[]): Promise<string> {
    const rows = await db().$transaction(async (tx) => {
      // A tiny test table would be scanned sequentially anyway; ask which index the plan can use.
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      await tx.$executeRawUnsafe("SET LOCAL enable_bitmapscan = off");
      return tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, ...params);
    });
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  }

  it("claims total, 6-month trend and payer scorecard: index-only scans of the covering indexes", async () => {
    await asOwner("VACUUM (ANALYZE) claim_lines");
    const id = tenant.customer.id;
    // The smallest index with customer_id first will do for a count: any index-only scan.
    expect(await plan("SELECT count(*) FROM claim_lines WHERE customer_id = $1::uuid", id)).toMatch(/Index Only Scan using claim_lines_customer_\w+_idx/);
    expect(
      await plan(
        "SELECT to_char(decided_at, 'YYYY-MM'), count(*), count(*) FILTER (WHERE outcome = 'DENIED') FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date GROUP BY 1",
        id,
        "2026-01-01",
      ),
    ).toMatch(/Index Only Scan using claim_lines_customer_(payer_)?decided_idx/);
    expect(
      await plan(
        "SELECT payer_id, count(*), avg(allowed_amount), percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_at - submitted_at) FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date AND decided_at <= $3::date GROUP BY payer_id",
        id,
        "2026-01-01",
        "2026-12-31",
      ),
    ).toMatch(/Index Only Scan using claim_lines_customer_(payer_)?decided_idx/);
  });

  it("active events, revenue at risk and top payers: the partial covering index", async () => {
    await asOwner("VACUUM (ANALYZE) drift_events");
    const text = await plan(
      "SELECT payer_id, count(*), sum(estimated_revenue_impact), max(severity) FROM drift_events WHERE customer_id = $1::uuid AND status = 'ACTIVE' GROUP BY payer_id",
      tenant.customer.id,
    );
    expect(text).toMatch(/Index Only Scan using drift_events_customer_active_payer_idx/);
  });
});

describe("REST answers validate against the OpenAPI document", () => {
  it("dashboard, payer summary, exports, drift events and reports", async () => {
    const document = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
      components: { schemas: Record<string, object> };
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "driftline", components: document.components } as object);
    const headers = tenant.keys.ANALYST.headers;
    const created = await fetch(`${server.baseUrl}/exports`, {
      method: "POST",
      headers: new Headers([...headers.entries(), ["content-type", "application/json"]]),
      body: JSON.stringify({ kind: "DRIFT_EVENTS", params: { status: "ACTIVE" } }),
    });
    expect(created.status).toBe(200);
    const exportId = ((await created.clone().json()) as { id: string }).id;
    const checks: [string, string, Response][] = [["/exports", "post", created]];
    for (const [template, url] of [
      ["/dashboard", "/dashboard"],
      ["/claims/payer-summary", "/claims/payer-summary?ordering=-denialRate"],
      ["/exports/{id}", `/exports/${exportId}`],
      ["/drift-events", "/drift-events?limit=5"],
      ["/drift-events", "/drift-events?page=2&pageSize=5"],
      ["/reports", "/reports?limit=3"],
    ] as const) {
      checks.push([template, "get", await fetch(`${server.baseUrl}${url}`, { headers })]);
    }
    for (const [template, method, response] of checks) {
      expect(response.status, template).toBe(200);
      const schema = document.paths[template]?.[method]?.responses["200"]?.content?.["application/json"]?.schema;
      expect(schema, `${method} ${template} documents a 200 schema`).toBeTruthy();
      const rewritten = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"driftline#/components/')) as object;
      const validate = ajv.compile(rewritten);
      const body = (await response.json()) as unknown;
      expect(validate(body) ? [] : validate.errors, `${method} ${template}`).toEqual([]);
    }
  });
});
