import { env } from "@/env";
import { logger } from "@/server/lib/logger";
import { loginProblems } from "./app-logins";
import { DatabaseStartError } from "./embedded-postgres";

// Apart from replica.ts so request bundles do not pull in the embedded server's start-up code.

/**
 * At start-up: the replica login must be a tenant login like DATABASE_TENANT_URL (never the
 * owner, a superuser, BYPASSRLS or a platform member). A replica that is down only logs: reads
 * fall back to the primary until it answers.
 */
export async function assertReplicaLogin(url = env().DATABASE_REPLICA_URL): Promise<void> {
  if (!url) return;
  let problems: string[];
  try {
    problems = await loginProblems(url, "tenant");
  } catch (error) {
    logger.warn({ err: error }, "the read replica (DATABASE_REPLICA_URL) is unreachable at start-up; reads use the primary until it answers");
    return;
  }
  if (problems.length > 0) {
    throw new DatabaseStartError(
      `The read replica's login is not safe to run with:\n  ${problems.map((problem) => `DATABASE_REPLICA_URL: ${problem}`).join("\n  ")}\n` +
        'DATABASE_REPLICA_URL must be the tenant login (a member of driftline_app only) on the replica host: DEPLOYMENT.md, "Read replica".',
    );
  }
}
