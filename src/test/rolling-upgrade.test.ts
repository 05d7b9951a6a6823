import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrateUp } from "@/server/db/migrations";

/**
 * A rolling upgrade under traffic (DEPLOYMENT.md, "Upgrades: expand and contract"): the previous
 * release — a git worktree of the newest earlier commit with fewer migrations and the same runtime
 * dependencies — serves a steady load of reads and writes; the newer migrations apply (among
 * them a three-phase unique key built CONCURRENTLY); the new release starts beside it; the old
 * one is taken out of rotation and stopped. Not one request may fail at any point.
 *
 * Each release runs its own route handlers (the files `next start` serves) behind its own test
 * REST server in a process of its own (src/test/serve-release.ts), with no `next build`: the
 * upgrade's risk is the schema shared by two releases' SQL, which the handlers exercise in full;
 * pages and the Next.js server are the same package in both releases. The test is the load
 * balancer: it sends each request to a live release, and drains one before stopping it, as a
 * real one would.
 */
const ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const LAUNCHER = path.join(ROOT, "src/test/serve-release.ts");
const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/** Newest first-parent ancestor with fewer migrations than HEAD and the same runtime dependencies. */
function previousRelease(): string {
  const migrationsAt = (commit: string) =>
    git("ls-tree", "--name-only", `${commit}:prisma/migrations`)
      .split("\n")
      .filter((f) => f.endsWith(".sql"));
  const dependenciesAt = (commit: string) => JSON.stringify((JSON.parse(git("show", `${commit}:package.json`)) as { dependencies: unknown }).dependencies);
  const current = new Set(migrationsAt("HEAD"));
  const dependencies = dependenciesAt("HEAD");
  for (const commit of git("rev-list", "--first-parent", "--max-count=400", "HEAD").split("\n").slice(1)) {
    const files = migrationsAt(commit);
    if (files.length >= current.size || !files.every((file) => current.has(file))) continue;
    if (dependenciesAt(commit) !== dependencies) continue;
    if (!git("show", `${commit}:src/test/factories.ts`).includes("export async function startRestServer")) continue;
    return commit;
  }
  throw new Error("no earlier commit with fewer migrations and the same dependencies: cannot run the previous release");
}

interface TRelease {
  name: string;
  child: ChildProcess;
  origin: string;
  adminKey?: string;
  inFlight: number;
  served: number;
}

const children: ChildProcess[] = [];

/** Starts serve-release.ts in `dir`; resolves with its JSON lines once `until` says so. */
function launch(dir: string, args: string[], env: NodeJS.ProcessEnv, until: (line: Record<string, unknown>) => boolean) {
  const child = spawn(process.execPath, ["--import", "tsx", LAUNCHER, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise<{ child: ChildProcess; lines: Record<string, unknown>[] }>((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
        const text = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (!text.startsWith('{"')) continue; // the application's own log lines
        const line = JSON.parse(text) as Record<string, unknown>;
        if (!("level" in line)) lines.push(line);
        if (until(line)) resolve({ child, lines });
      }
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} in ${dir} exited with ${code}: ${stderr}`)));
  });
}

let worktree: string | undefined;
let database: { admin: string; name: string } | undefined;

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (database) {
    const admin = new pg.Client({ connectionString: database.admin });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    await admin.end();
  }
  if (worktree) {
    try {
      git("worktree", "remove", "--force", worktree);
    } catch {
      rmSync(worktree, { recursive: true, force: true });
      git("worktree", "prune");
    }
  }
});

describe("rolling upgrade", () => {
  it("the previous release, the migrations and the new release under load: no request fails", async () => {
    const started = performance.now();
    const steps: Record<string, number> = {};
    let lap = performance.now();
    const step = (name: string) => {
      steps[name] = Math.round((performance.now() - lap) / 100) / 10;
      lap = performance.now();
    };
    const commit = previousRelease();
    worktree = mkdtempSync(path.join(tmpdir(), "driftline-previous-"));
    rmSync(worktree, { recursive: true });
    git("worktree", "add", "--detach", worktree, commit);
    symlinkSync(path.join(ROOT, "node_modules"), path.join(worktree, "node_modules"), "dir");
    execFileSync(process.execPath, ["src/cli/generate-prisma-client.mjs"], { cwd: worktree, stdio: "ignore" });
    expect(existsSync(path.join(worktree, "src/generated/prisma"))).toBe(true);
    step("checkout and Prisma client");

    // A database of its own at the previous release's schema, used through the run's logins.
    const admin = process.env.TEST_ADMIN_DATABASE_URL!;
    database = { admin, name: `driftline_upgrade_${process.pid}_${Date.now()}` };
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${database.name}`);
    await client.end();
    const onDatabase = (url: string) => Object.assign(new URL(url), { pathname: `/${database!.name}` }).toString();
    const owner = onDatabase(admin);
    const env = {
      ...process.env,
      DATABASE_URL: onDatabase(process.env.DATABASE_URL!),
      DATABASE_TENANT_URL: onDatabase(process.env.DATABASE_TENANT_URL!),
      MIGRATION_DATABASE_URL: owner,
      // The load is steady, not polite: rate limits are not what this test measures.
      RATE_LIMIT_OVERRIDES: JSON.stringify({ read: { points: 1_000_000, duration: 60 }, write: { points: 1_000_000, duration: 60 } }),
    };
    await launch(worktree, ["migrate"], env, (line) => line.migrated === true);
    step("previous schema");

    const serve = async (name: string, dir: string, seed: boolean): Promise<TRelease> => {
      const { child, lines } = await launch(dir, seed ? ["serve", "--seed"] : ["serve"], env, (line) => typeof line.origin === "string");
      const origin = lines.find((line) => line.origin)!.origin as string;
      return { name, child, origin, adminKey: lines.find((line) => line.adminKey)?.adminKey as string | undefined, inFlight: 0, served: 0 };
    };
    const previous = await serve("previous", worktree, true);
    const key = previous.adminKey!;
    step("previous release up");

    // The load: three clients in a loop, each request to the next live release in turn.
    const live: TRelease[] = [previous];
    const failures: string[] = [];
    let phase = "previous release";
    const byPhase = new Map<string, number>();
    let running = true;
    let turn = 0;
    // Reads and writes that both releases serve: a list, and an audited create (a write
    // transaction with its audit row) under a name of its own.
    const request = async (release: TRelease, n: number) => {
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      if (n % 3 === 0) {
        const response = await fetch(`${release.origin}/api/v1/alert-rules`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: `upgrade ${n} ${release.name}`, notifyInApp: true }),
        });
        return { status: response.status, expected: 200, body: await response.text() };
      }
      const response = await fetch(`${release.origin}/api/v1/alert-rules?limit=5`, { headers });
      return { status: response.status, expected: 200, body: await response.text() };
    };
    const loadClient = async () => {
      while (running) {
        const release = live[turn++ % live.length]!;
        const n = turn;
        release.inFlight += 1;
        try {
          const result = await request(release, n);
          if (result.status !== result.expected) failures.push(`${phase} ${release.name}: ${result.status} ${result.body.slice(0, 300)}`);
          else byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
        } catch (error) {
          failures.push(`${phase} ${release.name}: ${String(error)}`);
        } finally {
          release.inFlight -= 1;
          release.served += 1;
        }
      }
    };
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const clients = [loadClient(), loadClient(), loadClient()];
    const atLeast = (count: number) => {
      const base = [...byPhase.values()].reduce((a, b) => a + b, 0);
      return () => [...byPhase.values()].reduce((a, b) => a + b, 0) >= base + count;
    };

    await until(atLeast(15));
    step("load on the previous release");
    phase = "migrating";
    await migrateUp(owner);
    step("new migrations");
    await until(atLeast(15));
    phase = "both releases";
    const next = await serve("new", ROOT, false);
    step("new release up");
    live.push(next);
    await until(() => next.served >= 15);
    // Out of rotation, drained, then stopped — as a load balancer does.
    phase = "draining the previous release";
    live.splice(live.indexOf(previous), 1);
    await until(() => previous.inFlight === 0);
    const exited = new Promise((resolve) => previous.child.once("exit", resolve));
    previous.child.kill("SIGTERM");
    await exited;
    phase = "new release alone";
    await until(atLeast(15));
    running = false;
    await Promise.all(clients);
    next.child.kill("SIGTERM");
    step("switch-over");

    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        rollingUpgrade: {
          previous: commit.slice(0, 12),
          seconds: Math.round(seconds),
          steps,
          requests: Object.fromEntries(byPhase),
          failures: failures.length,
        },
      }),
    );
    expect(failures).toEqual([]);
    for (const name of ["previous release", "migrating", "both releases", "new release alone"]) expect(byPhase.get(name) ?? 0).toBeGreaterThan(0);
    expect(previous.served).toBeGreaterThan(0);
    expect(next.served).toBeGreaterThan(0);
    // The schema is the new one, and the old release ran on it.
    const check = new pg.Client({ connectionString: owner });
    await check.connect();
    const { rows } = await check.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
    await check.end();
    expect(rows[0]!.n).toBe(readdirSync(path.join(ROOT, "prisma/migrations")).filter((file) => file.endsWith(".sql")).length);
  }, 600_000);
});
