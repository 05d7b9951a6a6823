import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TBenchReport } from "../../load/bench";

/**
 * `npm run bench -- --quick` as a regression guard. It asserts ratios and statement
 * counts only, never absolute times, and its bounds are generous on purpose: this runs next to
 * the other test files on a shared 2-core machine. The goals themselves (ingest >= 0.5 of COPY,
 * detection <= 1.5x the bare aggregate, cursor deep page <= 1.5x the first) are reported from a
 * full run in BENCHMARKS.md; here we catch the regressions that break them by a wide margin: an
 * N+1 list, a cursor that became an OFFSET, a detection run that re-reads the claims.
 * The runner uses its own fresh database on the test server (DATABASE_URL) and drops it after.
 */

const work = mkdtempSync(path.join(tmpdir(), "driftline-bench-quick-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runQuickBench(jsonFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "bench", "--", "--quick", "--json", jsonFile], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("npm run bench -- --quick", () => {
  let report: TBenchReport;

  it("runs every benchmark in one process and writes the JSON report", { timeout: 240_000 }, async () => {
    const jsonFile = path.join(work, "bench.json");
    const { code, output } = await runQuickBench(jsonFile);
    expect(code, output.slice(-4000)).toBe(0);
    report = JSON.parse(readFileSync(jsonFile, "utf8")) as TBenchReport;
    expect(report.mode).toBe("quick");
    for (const value of [
      report.ingest.linesPerSecond,
      report.ingest.ratioToCopy,
      report.ingest.ratioToCopyIntoClaimLines,
      report.detection.runSeconds,
      report.detection.bareAggregateSeconds,
      report.detection.ratioToBareAggregate,
      report.pagination.cursorDeepToFirstRatio,
      report.pagination.offsetDeepToFirstRatio,
      report.api.listOverheadRatio,
      report.webhooks.deliveriesPerSecond,
    ]) {
      expect(value).toBeTypeOf("number");
      expect(Number.isFinite(value) && (value as number) > 0).toBe(true);
    }
  });

  it("SQL statements per list request do not grow with the page size (1, 10, 100)", () => {
    expect(Object.keys(report.queries).length).toBeGreaterThanOrEqual(10);
    for (const [name, counts] of Object.entries(report.queries)) {
      expect([counts.size10, counts.size100], `${name}: ${counts.size1} / ${counts.size10} / ${counts.size100}`).toEqual([counts.size1, counts.size1]);
    }
  });

  it("a deep cursor page costs about what the first page costs", () => {
    expect(report.pagination.cursorDeepToFirstRatio).toBeLessThan(3);
  });

  it("a detection run costs about what its bare aggregate costs", () => {
    expect(report.detection.ratioToBareAggregate).toBeLessThan(3);
  });
});
