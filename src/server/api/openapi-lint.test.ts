import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";

/**
 * The OpenAPI document the app serves, linted by Redocly CLI (the linter outside tools run)
 * with its recommended rules and the rule decisions in redocly.yaml: no error and no warning.
 * A broken copy is linted too, so a linter that found nothing because it did not run, or ran
 * without the recommended rules, fails here.
 */

type TLintProblem = { ruleId: string; severity: "error" | "warn"; message: string; location: { pointer?: string }[] };
type TLintReport = { totals: { errors: number; warnings: number; ignored: number }; problems: TLintProblem[] };

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = path.join(path.dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin", "cli.js");
let dir: string;

async function lint(document: unknown, name: string): Promise<TLintReport> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(document, null, 2));
  const args = [CLI, "lint", file, `--config=${path.join(ROOT, "redocly.yaml")}`, "--format=json"];
  // No usage telemetry and no update check: the machine has no network but the registry.
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
  const stdout = await new Promise<string>((resolve, reject) => {
    // Redocly exits 1 when it finds an error; the report on stdout is what counts.
    execFile(process.execPath, args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
      if (out.trim().startsWith("{")) resolve(out);
      else reject(new Error(`redocly lint printed no report (${error?.message ?? "no error"}): ${err}`));
    });
  });
  return JSON.parse(stdout) as TLintReport;
}

const describeProblem = (problem: TLintProblem) =>
  `${problem.severity} ${problem.ruleId} at ${problem.location.map((l) => l.pointer).join(", ")}: ${problem.message}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "driftline-openapi-lint-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Redocly lint of /api/v1/openapi.json", () => {
  it("reports no error and no warning under the recommended rules", async () => {
    const report = await lint(openApiDocument(), "openapi.json");
    expect(report.problems.map(describeProblem)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it("does report an operation without security and an example its schema forbids", async () => {
    const broken = structuredClone(openApiDocument()) as unknown as {
      security?: unknown;
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>>;
    };
    delete broken.security;
    const health = broken.paths["/health"]!.get!;
    delete health.security;
    health.responses["200"]!.content!["application/json"]!.example = { status: "ok", time: "2026-01-01T00:00:00.000Z", uptime: 3 };
    const report = await lint(broken, "broken.json");
    const found = report.problems.map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer ?? ""}`);
    expect(found).toContain("security-defined #/paths/~1health/get");
    expect(found).toContain("no-invalid-media-type-examples #/paths/~1health/get/responses/200/content/application~1json/example/uptime");
  }, 60_000);
});
