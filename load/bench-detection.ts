/**
 * Detection benchmark (not a test): `npm run bench:detection [-- --lines N] [--repeat R]`.
 *
 * Builds one tenant whose detection windows (90 + 14 days) hold about N claim lines (default
 * 1,000,000) with the demo generator and COPY loader (prisma/seed), in a throw-away embedded
 * PostgreSQL (or DATABASE_URL's server when set), then measures in the same process:
 *   - the bare aggregate SQL a run needs (query-cell-metrics.ts, same planner settings), and
 *   - a whole detection run (claim, aggregate, statistics, locked write, run record),
 * each R times after one warm-up, and prints the medians, their ratio (goal <= 1.5) and lines/s.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { db } from "@/server/db/client";
import { computeWindows } from "@/server/services/detection/compute-windows";
import { createDetectionRun, executeDetectionRun } from "@/server/services/detection/detection-runs";
import { queryCellMetrics } from "@/server/services/detection/query-cell-metrics";
import { getSettings } from "@/server/services/settings/settings";
import { BASELINE_DAYS, CURRENT_DAYS, DATA_DAYS } from "../prisma/seed/generate-claims";
import { seedDemo } from "../prisma/seed/seed-demo";
import { vacuumAnalyze, withThrowawayDatabase } from "./throwaway-database";

const AS_OF = "2026-03-02";
const log = (message: string) => console.error(message);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const { values } = parseArgs({ options: { lines: { type: "string" }, repeat: { type: "string" } } });
  const lines = Number(values.lines ?? 1_000_000);
  const repeat = Number(values.repeat ?? 3);
  if (!Number.isInteger(lines) || lines < 1000) throw new Error("--lines must be an integer >= 1000");
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error("--repeat must be a positive integer");

  await withThrowawayDatabase(async () => {
    console.log(JSON.stringify(await benchDetection(lines, repeat), null, 2));
  });
}

export type TDetectionBench = Awaited<ReturnType<typeof benchDetection>>;

/** The measurement, against the migrated database in DATABASE_URL (also called by load/bench.ts). */
export async function benchDetection(lines: number, repeat: number) {
  const databaseUrl = process.env.DATABASE_URL!;
  {
    // The generator spreads a tenant's lines over DATA_DAYS; scale so the windows hold ~N.
    const claims = Math.round((lines * DATA_DAYS) / (BASELINE_DAYS + CURRENT_DAYS));
    log(`bench: generating ${claims.toLocaleString("en-US")} claim lines (about ${lines.toLocaleString("en-US")} in the windows)…`);
    const seeded = await seedDemo(databaseUrl, { tenants: 1, claims, randomSeed: 42, asOf: AS_OF, slugPrefix: `bench${lines}`, log });
    const customerId = seeded.tenants[0]!.id;
    await vacuumAnalyze("claim_lines");

    const windows = computeWindows(AS_OF, await getSettings(customerId));
    const counted = await db().$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM claim_lines
      WHERE customer_id = ${customerId}::uuid AND decided_at BETWEEN ${windows.baselineStart}::date AND ${windows.currentEnd}::date`;
    const inWindows = Number(counted[0]?.n ?? 0);
    log(`bench: ${inWindows.toLocaleString("en-US")} lines in the windows ${windows.baselineStart}..${windows.currentEnd}`);

    const timeAggregate = async () => {
      const started = performance.now();
      await queryCellMetrics(db(), customerId, windows);
      return performance.now() - started;
    };
    const timeRun = async () => {
      const started = performance.now();
      const { run } = await createDetectionRun(customerId, "CLI");
      const done = await executeDetectionRun(run.id, { asOf: AS_OF });
      if (done?.status !== "SUCCEEDED") throw new Error(`run ${run.id} ended ${done?.status}: ${done?.error}`);
      return { ms: performance.now() - started, run: done };
    };

    await timeAggregate(); // warm-up: both measurements start from the same cache state
    const aggregateMs: number[] = [];
    const runMs: number[] = [];
    let lastRun;
    for (let i = 0; i < repeat; i++) {
      aggregateMs.push(await timeAggregate());
      const result = await timeRun();
      runMs.push(result.ms);
      lastRun = result.run;
    }
    const aggregate = median(aggregateMs);
    const whole = median(runMs);
    const report = {
      linesInWindows: inWindows,
      repeat,
      aggregateMs: Math.round(aggregate),
      runMs: Math.round(whole),
      ratio: Number((whole / aggregate).toFixed(3)),
      goal: "ratio <= 1.5",
      linesPerSecond: Math.round(inWindows / (whole / 1000)),
      samples: { aggregateMs: aggregateMs.map(Math.round), runMs: runMs.map(Math.round) },
      lastRun: {
        cellsTested: lastRun?.cellsTested,
        cellsSkipped: lastRun?.cellsSkipped,
        eventsOpened: lastRun?.eventsOpened,
        eventsUpdated: lastRun?.eventsUpdated,
        timingsMs: lastRun?.summary.timingsMs,
      },
    };
    return report;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
