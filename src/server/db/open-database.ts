import { mkdirSync } from "node:fs";
import pg from "pg";
import { env, EnvError } from "@/env";
import { assertAppLogins, loginPasswordsIn, provisionAppLogins, type TAppLogins } from "./app-logins";
import { DatabaseStartError, openEmbeddedDatabase } from "./embedded-postgres";
import { assertReplicaLogin } from "./replica-login";

/** Fails fast, naming the variable and server (never the password) and what to do, when it cannot connect. */
async function assertReachable(url: string, variable: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const { hostname, port, pathname, username } = new URL(url);
    throw new DatabaseStartError(
      `Cannot connect to the database in ${variable} (${decodeURIComponent(username)}@${hostname}:${port || 5432}${pathname}): ${(error as Error).message}. ` +
        "Check the URL and that PostgreSQL is running, or unset the database variables to use the embedded one.",
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TOpenDatabase {
  /**
   * The owner (migration) login: the embedded server's, or MIGRATION_DATABASE_URL. Undefined
   * when a deployment gives the application's logins only (then it never migrates).
   */
  ownerUrl: string | undefined;
  /** True when this process started the embedded server and must stop it. */
  owned: boolean;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The database server a process works against: the configured one when any of DATABASE_URL or
 * MIGRATION_DATABASE_URL is set, else the embedded server in DRIFTLINE_DATA_DIR. Run the
 * migrations with `ownerUrl`, then `useAppLogins` before anything else connects.
 */
export async function openDatabase(options: { attach: boolean }): Promise<TOpenDatabase> {
  const { DATABASE_URL, DATABASE_TENANT_URL, MIGRATION_DATABASE_URL, DRIFTLINE_DATA_DIR } = env();
  if (MIGRATION_DATABASE_URL) await assertReachable(MIGRATION_DATABASE_URL, "MIGRATION_DATABASE_URL");
  if (DATABASE_URL || DATABASE_TENANT_URL || MIGRATION_DATABASE_URL) {
    return { ownerUrl: MIGRATION_DATABASE_URL, owned: false, embedded: false, stop: async () => {} };
  }
  const handle = await openEmbeddedDatabase({ dataDir: DRIFTLINE_DATA_DIR, attach: options.attach });
  return { ownerUrl: handle.url, owned: handle.owned, embedded: true, stop: handle.stop };
}

/**
 * Decides the application's two logins (app-logins.ts) and publishes them as DATABASE_URL and
 * DATABASE_TENANT_URL for every later reader (Prisma, the job queue, pools, Next.js route
 * handlers in this process). Configured logins are used as given; otherwise they are created
 * through the owner login with passwords kept in DRIFTLINE_DATA_DIR. Either way a login that is
 * the owner, a superuser or BYPASSRLS is refused. Call after migrations (they create the roles).
 */
export async function useAppLogins(database: TOpenDatabase): Promise<TAppLogins> {
  const config = env();
  let logins: TAppLogins;
  if (config.DATABASE_URL || config.DATABASE_TENANT_URL) {
    if (!config.DATABASE_URL || !config.DATABASE_TENANT_URL) {
      throw new EnvError('DATABASE_URL (the platform login) and DATABASE_TENANT_URL (the tenant login) are set together: DEPLOYMENT.md, "Database logins".');
    }
    await assertReachable(config.DATABASE_URL, "DATABASE_URL");
    await assertReachable(config.DATABASE_TENANT_URL, "DATABASE_TENANT_URL");
    logins = { platformUrl: config.DATABASE_URL, tenantUrl: config.DATABASE_TENANT_URL };
  } else {
    if (!database.ownerUrl) throw new EnvError("Set DATABASE_URL and DATABASE_TENANT_URL, or MIGRATION_DATABASE_URL to create them.");
    mkdirSync(config.DRIFTLINE_DATA_DIR, { recursive: true, mode: 0o755 });
    logins = await provisionAppLogins(database.ownerUrl, loginPasswordsIn(config.DRIFTLINE_DATA_DIR));
  }
  await assertAppLogins(logins);
  await assertReplicaLogin();
  process.env.DATABASE_URL = logins.platformUrl;
  process.env.DATABASE_TENANT_URL = logins.tenantUrl;
  return logins;
}
