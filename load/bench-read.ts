/**
 * Read-side benchmark (not a test): `npm run bench:read [-- --lines N] [--repeat R]`.
 *
 * Loads one tenant with N claim lines (default 1,000,000) with the demo generator and COPY
 * loader (prisma/seed) into a throw-away embedded PostgreSQL (or DATABASE_URL's server when
 * set), runs one detection pass so the dashboard has drift events, then measures in-process,
 * R times after a warm-up, and prints medians:
 *   - the dashboard computed from scratch (cache bypassed) and served from the versioned cache,
 *   - the payer scorecard for 90 and 365 days (computed) and from the versioned cache,
 *   - the claim list at the first page and at the 10,000th row, by cursor and by offset
 *     (page mode, which also counts the total, and the bare offset query), with the ratio of
 *     each deep page to the first page of the same style, the two timed alternately (goal for cursors: <= 1.5),
 * and the plan nodes of the dashboard's aggregates (index-only scans, heap fetches).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { db } from "@/server/db/client";
import { tenantDb } from "@/server/db/tenant-scope";
import type { TActor } from "@/server/lib/actor";
import { encodeCursor } from "@/server/lib/pagination";
import { listClaims } from "@/server/services/claims/read-claims";
import { computeDashboard, getDashboard } from "@/server/services/dashboard/get-dashboard";
import { runDetectionNow } from "@/server/services/detection/detection-runs";
import { computePayerSummary, getPayerSummary } from "@/server/services/payer-summary/get-payer-summary";
import { seedDemo } from "../prisma/seed/seed-demo";
import { vacuumAnalyze, withThrowawayDatabase } from "./throwaway-database";

const log = (message: string) => console.error(message);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ACTOR: TActor = { userId: null, apiKeyId: null, label: "system:bench-read", requestId: null, ip: null };
const DEEP_ROW = 10_000;
const PAGE = 50;

async function time(repeat: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/**
 * Two requests whose ratio is reported, timed alternately: a busy moment on a shared machine
 * then falls on both sides instead of on one block of samples. Medians of each.
 */
async function timeSideBySide(repeat: number, a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  await a(); // warm-up
  await b();
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < repeat; i += 1) {
    for (const [slot, fn] of [a, b].entries()) {
      const started = performance.now();
      await fn();
      samples[slot]!.push(performance.now() - started);
    }
  }
  return [median(samples[0]), median(samples[1])];
}

async function planSummary(sql: string, params: unknown[]): Promise<string> {
  const rows = await db().$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, ...params);
  const lines = rows.map((r) => r["QUERY PLAN"]);
  const scans = lines
    .filter((l) => /Scan/.test(l))
    .map((l) =>
      l
        .trim()
        .replace(/\s+\(cost.*$/, "")
        .replace(/^->\s*/, ""),
    );
  const heap = lines.filter((l) => /Heap Fetches|Index Cond|Rows Removed by Filter/.test(l)).map((l) => l.trim());
  const total = lines.find((l) => /Execution Time/.test(l))?.trim() ?? "";
  return `${scans.join("; ")}${heap.length ? ` [${heap.join(", ")}]` : ""} — ${total}`;
}

async function main() {
  const { values } = parseArgs({ options: { lines: { type: "string" }, repeat: { type: "string" } } });
  const lines = Number(values.lines ?? 1_000_000);
  const repeat = Number(values.repeat ?? 5);
  if (!Number.isInteger(lines) || lines < 20_000) throw new Error("--lines must be an integer >= 20000");
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error("--repeat must be a positive integer");

  await withThrowawayDatabase(async () => {
    await benchRead(lines, repeat);
  });
}

export type TReadBench = Awaited<ReturnType<typeof benchRead>>;

/** The measurement, against the migrated database in DATABASE_URL (also called by load/bench.ts). */
export async function benchRead(lines: number, repeat: number) {
  const databaseUrl = process.env.DATABASE_URL!;
  {
    log(`bench:read: loading ${lines.toLocaleString("en-US")} claim lines for one tenant…`);
    const seeded = await seedDemo(databaseUrl, { tenants: 1, claims: lines, randomSeed: 42, slugPrefix: `read${lines}-${Date.now() % 100000}`, log });
    const customerId = seeded.tenants[0]!.id;
    await vacuumAnalyze("claim_lines");
    log("bench:read: one detection run, so the dashboard has drift events…");
    const run = await runDetectionNow(customerId);
    await vacuumAnalyze("drift_events");
    log(`bench:read: run ${run.status}, ${run.eventsOpened} events opened`);

    const results: Record<string, string> = {};
    const ms = (value: number) => `${value.toFixed(1)} ms`;

    const dashboardCold = await time(repeat, () => computeDashboard(customerId));
    const dashboardCached = await time(repeat, () => getDashboard(customerId));
    results["dashboard, computed (cache bypassed)"] = ms(dashboardCold);
    results["dashboard, versioned cache hit (1 version query)"] = ms(dashboardCached);
    results["payer scorecard, 90 days, computed"] = ms(await time(repeat, () => computePayerSummary(customerId, {})));
    results["payer scorecard, 90 days, versioned cache hit"] = ms(await time(repeat, () => getPayerSummary(customerId, {})));
    const today = new Date().toISOString().slice(0, 10);
    const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
    results["payer scorecard, 365 days, computed"] = ms(await time(repeat, () => computePayerSummary(customerId, { from: yearAgo, to: today })));

    // The cursor that starts the page holding row DEEP_ROW (newest decision first, id as tie-break).
    const scoped = tenantDb(customerId);
    const before = await scoped.claimLine.findMany({
      orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
      skip: DEEP_ROW - PAGE - 1,
      take: 1,
      select: { id: true, decidedAt: true },
    });
    const deepCursor = encodeCursor({ field: "decidedAt", direction: "desc" }, before[0]!.decidedAt.toISOString(), before[0]!.id);
    const deepPage = DEEP_ROW / PAGE;

    const [cursorFirst, cursorDeep] = await timeSideBySide(
      repeat,
      () => listClaims(customerId, ACTOR, { limit: PAGE }),
      () => listClaims(customerId, ACTOR, { limit: PAGE, cursor: deepCursor }),
    );
    const [pageFirst, pageDeep] = await timeSideBySide(
      repeat,
      () => listClaims(customerId, ACTOR, { page: 1, pageSize: PAGE }),
      () => listClaims(customerId, ACTOR, { page: deepPage, pageSize: PAGE }),
    );
    const [bareFirst, bareDeep] = await timeSideBySide(
      repeat,
      () => scoped.claimLine.findMany({ orderBy: [{ decidedAt: "desc" }, { id: "desc" }], take: PAGE }),
      () => scoped.claimLine.findMany({ orderBy: [{ decidedAt: "desc" }, { id: "desc" }], take: PAGE, skip: DEEP_ROW - PAGE }),
    );
    // The same cursor page without the service (no audit row, no mapping): the SQL's own cost.
    const cursorValue = before[0]!.decidedAt;
    const cursorId = before[0]!.id;
    const bareCursorDeep = await time(repeat, () =>
      scoped.claimLine.findMany({
        where: { AND: [{ decidedAt: { lte: cursorValue } }, { OR: [{ decidedAt: { lt: cursorValue } }, { decidedAt: cursorValue, id: { lt: cursorId } }] }] },
        orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
        take: PAGE + 1,
      }),
    );
    const bareCursorDeepOrOnly = await time(repeat, () =>
      scoped.claimLine.findMany({
        where: { OR: [{ decidedAt: { lt: cursorValue } }, { decidedAt: cursorValue, id: { lt: cursorId } }] },
        orderBy: [{ decidedAt: "desc" }, { id: "desc" }],
        take: PAGE + 1,
      }),
    );
    results[`claims list by cursor, first page (${PAGE})`] = ms(cursorFirst);
    results[`claims list by cursor, page holding row ${DEEP_ROW.toLocaleString("en-US")}`] =
      `${ms(cursorDeep)} (ratio ${(cursorDeep / cursorFirst).toFixed(2)})`;
    results["bare cursor query at row 10,000, OR condition only"] =
      `${ms(bareCursorDeepOrOnly)} (ratio to bare first page ${(bareCursorDeepOrOnly / bareFirst).toFixed(2)})`;
    results["bare cursor query at row 10,000, with a range bound"] =
      `${ms(bareCursorDeep)} (ratio to bare first page ${(bareCursorDeep / bareFirst).toFixed(2)})`;
    results["claims list by page number, page 1 (with total count)"] = ms(pageFirst);
    results[`claims list by page number, page ${deepPage} (with total count)`] = `${ms(pageDeep)} (ratio ${(pageDeep / pageFirst).toFixed(2)})`;
    results["bare OFFSET query, first page"] = ms(bareFirst);
    results[`bare OFFSET query, OFFSET ${(DEEP_ROW - PAGE).toLocaleString("en-US")}`] = `${ms(bareDeep)} (ratio ${(bareDeep / bareFirst).toFixed(2)})`;

    const from = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 5, 1)).toISOString().slice(0, 10);
    const plans: Record<string, string> = {
      "trend (6 months)": await planSummary(
        "SELECT to_char(decided_at, 'YYYY-MM'), count(*), count(*) FILTER (WHERE outcome = 'DENIED') FROM claim_lines WHERE customer_id = $1::uuid AND decided_at >= $2::date GROUP BY 1",
        [customerId, from],
      ),
      "claim lines total": await planSummary("SELECT count(*) FROM claim_lines WHERE customer_id = $1::uuid", [customerId]),
      "active events by payer": await planSummary(
        "SELECT payer_id, count(*), sum(estimated_revenue_impact), max(severity) FROM drift_events WHERE customer_id = $1::uuid AND status = 'ACTIVE' GROUP BY payer_id",
        [customerId],
      ),
      "cursor page at row 10,000, OR only": await planSummary(
        "SELECT id FROM claim_lines WHERE customer_id = $1::uuid AND (decided_at < $2::date OR (decided_at = $2::date AND id < $3::uuid)) ORDER BY decided_at DESC, id DESC LIMIT 51",
        [customerId, before[0]!.decidedAt.toISOString().slice(0, 10), before[0]!.id],
      ),
      "cursor page at row 10,000, with the range bound": await planSummary(
        "SELECT id FROM claim_lines WHERE customer_id = $1::uuid AND decided_at <= $2::date AND (decided_at < $2::date OR (decided_at = $2::date AND id < $3::uuid)) ORDER BY decided_at DESC, id DESC LIMIT 51",
        [customerId, before[0]!.decidedAt.toISOString().slice(0, 10), before[0]!.id],
      ),
    };

    const total = await db().claimLine.count({ where: { customerId } });
    console.log(`\nRead-side benchmark: one tenant, ${total.toLocaleString("en-US")} claim lines, median of ${repeat} after a warm-up\n`);
    for (const [name, value] of Object.entries(results)) console.log(`  ${name.padEnd(62)} ${value}`);
    console.log("\nPlans (EXPLAIN ANALYZE):");
    for (const [name, value] of Object.entries(plans)) console.log(`  ${name}: ${value}`);
    return {
      claimLines: total,
      customerId,
      ms: { dashboardCold, dashboardCached, cursorFirst, cursorDeep, pageFirst, pageDeep, bareFirst, bareDeep },
      cursorDeepToFirstRatio: cursorDeep / cursorFirst,
      pageDeepToFirstRatio: pageDeep / pageFirst,
      offsetDeepToFirstRatio: bareDeep / bareFirst,
    };
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
