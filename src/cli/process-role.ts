import { hostname } from "node:os";
import { EnvError } from "@/env";
import { closePrincipalCache } from "@/server/auth/principal-cache";
import { assertAppLogins } from "@/server/db/app-logins";
import { disconnectDb } from "@/server/db/client";
import { pendingVersions } from "@/server/db/migrations";
import { closeRateLimitStore } from "@/server/lib/rate-limit";

/**
 * What the three entry points share (`npm start`, `start:web`, `start:worker`): messages, a
 * per-process application_name on the database URL, the migration check of the role processes,
 * and signal handling for graceful shutdown.
 */
export const log = (message: string) => console.log(message);

/**
 * Tags this process's connections (`driftline-web@host:pid`), so pg_stat_activity — and the
 * connection gauge of /api/metrics — can tell instances apart. Call before anything connects.
 */
export function tagDatabaseConnections(role: string): void {
  for (const variable of ["DATABASE_URL", "DATABASE_TENANT_URL"] as const) {
    const raw = process.env[variable];
    if (!raw) continue;
    const url = new URL(raw);
    if (url.searchParams.has("application_name")) continue;
    // PostgreSQL keeps 63 bytes of it; the pid at the end must survive.
    url.searchParams.set("application_name", `driftline-${role}@${hostname().slice(0, 30)}:${process.pid}`);
    process.env[variable] = url.toString();
  }
}

/** The role processes never migrate: a deploy runs `npm run driftline -- migrate` once first. */
export async function assertMigrated(url: string): Promise<void> {
  const pending = await pendingVersions(url);
  if (pending.length > 0) {
    throw new Error(`${pending.length} migration(s) not applied (${pending.join(", ")}): run \`npm run driftline -- migrate\` first.`);
  }
}

/**
 * The separate roles need both application logins (DATABASE_URL, DATABASE_TENANT_URL) and
 * refuse a login that is the owner, a superuser or BYPASSRLS (app-logins.ts).
 */
export async function requireConfiguredDatabase(role: string): Promise<string> {
  const url = process.env.DATABASE_URL;
  const tenantUrl = process.env.DATABASE_TENANT_URL;
  if (!url || !tenantUrl) {
    throw new EnvError(
      `${role} needs DATABASE_URL and DATABASE_TENANT_URL (the application's platform and tenant logins): the separate roles share one PostgreSQL and never start the embedded one. ` +
        "For a single machine, use `npm start`.",
    );
  }
  await assertAppLogins({ platformUrl: url, tenantUrl });
  return url;
}

export interface TShutdownOptions {
  /** Steps run in order; each failure is logged and the next step still runs. */
  steps: Array<{ name: string; run: () => Promise<void> }>;
  /** The whole shutdown's budget before the process exits anyway (default 45 s). */
  timeoutMs?: number;
}

/**
 * Installs SIGTERM / SIGINT handling: the first signal runs the steps in order, then exits 0; a
 * second deliberate signal (more than 2 s later — launchers such as npm and tsx relay the same
 * Ctrl-C twice) or the timeout exits 1 at once.
 */
export function installShutdown(options: TShutdownOptions): { shutdown: (signal: string) => Promise<void> } {
  let startedAt = 0;
  const shutdown = async (signal: string) => {
    if (startedAt) {
      if (Date.now() - startedAt < 2000) return;
      log(`${signal} again: exiting now.`);
      process.exit(1);
    }
    startedAt = Date.now();
    log(`${signal}: shutting down…`);
    const force = setTimeout(() => {
      log("Shutdown timed out; exiting.");
      process.exit(1);
    }, options.timeoutMs ?? 45_000);
    force.unref();
    for (const step of options.steps) {
      try {
        await step.run();
      } catch (error) {
        console.error(`shutdown: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    log(`Stopped in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  return { shutdown };
}

/** The pools every role opens on the way: closed after the work that uses them has stopped. */
export const closePoolsStep = {
  name: "database pools",
  run: async () => {
    await disconnectDb().catch(() => {});
    await closeRateLimitStore().catch(() => {});
    await closePrincipalCache().catch(() => {});
  },
};

/** One line the operator (and the cluster test) reads: did the drain cut anyone off? */
export function reportDrain(report: { inFlight: number; forced: number; silentClosed: number; ms: number } | undefined): void {
  if (!report) return;
  log(
    `HTTP drained in ${report.ms} ms: ${report.inFlight} request(s) in flight, ${report.forced} cut off, ` +
      `${report.silentClosed} connection(s) closed without a request.`,
  );
}

export function exitOnStartError(error: unknown): never {
  console.error(error instanceof Error ? `driftline: ${error.message}` : error);
  process.exit(1);
}
