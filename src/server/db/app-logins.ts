import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { DatabaseStartError } from "./embedded-postgres";

/**
 * The application's two database logins (SECURITY.md, "Database roles"; migration
 * 20261203000090). Neither is the owner, a superuser or BYPASSRLS:
 *
 * - the platform login (DATABASE_URL), a member of `driftline_platform`: cross-tenant paths;
 * - the tenant login (DATABASE_TENANT_URL), a member of `driftline_app` only: tenant requests.
 *
 * With the embedded database (or only MIGRATION_DATABASE_URL given to `npm start`) start-up
 * creates or updates both LOGIN roles through the owner connection, with passwords generated
 * once and kept in the data directory. An operator's own PostgreSQL can use the same roles,
 * created by `npm run driftline -- create-logins` or by hand (DEPLOYMENT.md).
 */

export const PLATFORM_ROLE = "driftline_platform";
export const TENANT_ROLE = "driftline_app";

export interface TLoginNames {
  platform: string;
  tenant: string;
}

export const DEFAULT_LOGIN_NAMES: TLoginNames = { platform: "driftline_platform_login", tenant: "driftline_tenant_login" };

export interface TAppLogins {
  /** DATABASE_URL: the platform login. */
  platformUrl: string;
  /** DATABASE_TENANT_URL: the tenant login. */
  tenantUrl: string;
}

type TPasswords = { platform: string; tenant: string };

const newPassword = () => randomBytes(24).toString("base64url");

/** Passwords generated on first use and kept (mode 0600) next to the embedded data. */
export function loginPasswordsIn(dataDir: string): TPasswords {
  const file = path.join(path.resolve(dataDir), "database-logins.json");
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<TPasswords>;
    if (stored.platform && stored.tenant) return { platform: stored.platform, tenant: stored.tenant };
  }
  const passwords = { platform: newPassword(), tenant: newPassword() };
  writeFileSync(file, JSON.stringify(passwords), { mode: 0o600 });
  return passwords;
}

export function freshLoginPasswords(): TPasswords {
  return { platform: newPassword(), tenant: newPassword() };
}

function urlAs(ownerUrl: string, user: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Creates the two LOGIN roles, or brings existing ones back to what they must be (password,
 * attributes, exactly the one group role each), through the owner connection. Needs the
 * migrations applied (the group roles) and CREATEROLE (or a superuser) on the owner login.
 */
export async function provisionAppLogins(ownerUrl: string, passwords: TPasswords, names: TLoginNames = DEFAULT_LOGIN_NAMES): Promise<TAppLogins> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // One provisioner at a time on this server: concurrent ALTER ROLE / GRANT on the same role
    // fail with "tuple concurrently updated" (a CLI started next to `npm start`, web instances
    // starting together). Held by this connection until it closes.
    await client.query("SELECT pg_advisory_lock(hashtext('driftline.provision-app-logins'))");
    const logins = [
      { name: names.platform, password: passwords.platform, member: PLATFORM_ROLE, notMember: TENANT_ROLE },
      { name: names.tenant, password: passwords.tenant, member: TENANT_ROLE, notMember: PLATFORM_ROLE },
    ];
    for (const login of logins) {
      const role = client.escapeIdentifier(login.name);
      const attributes = `LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD ${client.escapeLiteral(login.password)}`;
      const exists = (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [login.name])).rowCount;
      try {
        await client.query(`${exists ? "ALTER" : "CREATE"} ROLE ${role} ${attributes}`);
      } catch (error) {
        // Another process (the CLI next to `npm start`) created it a moment ago.
        if ((error as { code?: string }).code !== "42710") throw error;
        await client.query(`ALTER ROLE ${role} ${attributes}`);
      }
      await client.query(`GRANT ${login.member} TO ${role}`);
      await client.query(`REVOKE ${login.notMember} FROM ${role}`);
    }
  } finally {
    await client.end();
  }
  return { platformUrl: urlAs(ownerUrl, names.platform, passwords.platform), tenantUrl: urlAs(ownerUrl, names.tenant, passwords.tenant) };
}

/** Drops logins made by `provisionAppLogins` (test teardown; the roles own nothing). */
export async function dropAppLogins(ownerUrl: string, names: TLoginNames): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    for (const name of [names.platform, names.tenant]) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

interface TLoginFacts {
  user: string;
  superuser: boolean;
  bypassrls: boolean;
  owns_tables: boolean;
  platform: boolean;
  tenant: boolean;
}

/** What is wrong with a login for its use, or nothing. Read as the login itself. */
export async function loginProblems(url: string, kind: "platform" | "tenant"): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<TLoginFacts>(`
      SELECT current_user::text AS user, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
        EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')) AS owns_tables,
        EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = '${PLATFORM_ROLE}' AND pg_has_role(current_user, g.oid, 'USAGE')) AS platform,
        EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = '${TENANT_ROLE}' AND pg_has_role(current_user, g.oid, 'USAGE')) AS tenant
      FROM pg_roles r WHERE r.rolname = current_user`);
    const facts = rows[0]!;
    const problems: string[] = [];
    if (facts.superuser) problems.push(`${facts.user} is a superuser`);
    if (facts.bypassrls) problems.push(`${facts.user} has BYPASSRLS`);
    if (facts.owns_tables) problems.push(`${facts.user} owns tables of the schema (or is a member of their owner)`);
    if (kind === "platform" && !facts.platform) problems.push(`${facts.user} is not a member of ${PLATFORM_ROLE}`);
    if (kind === "tenant" && !facts.tenant) problems.push(`${facts.user} is not a member of ${TENANT_ROLE}`);
    if (kind === "tenant" && facts.platform && !facts.superuser)
      problems.push(`${facts.user} is a member of ${PLATFORM_ROLE} (the tenant login must be bound by the tenant policies)`);
    return problems;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Refuses to run the application as a login that could bypass RLS or rewrite the audit log. */
export async function assertAppLogins(logins: TAppLogins): Promise<void> {
  const found = [
    ...(await loginProblems(logins.platformUrl, "platform")).map((problem) => `DATABASE_URL: ${problem}`),
    ...(await loginProblems(logins.tenantUrl, "tenant")).map((problem) => `DATABASE_TENANT_URL: ${problem}`),
  ];
  if (found.length > 0) {
    throw new DatabaseStartError(
      `The application's database logins are not safe to run with:\n  ${found.join("\n  ")}\n` +
        "Only migrations log in as the owner (MIGRATION_DATABASE_URL); DEPLOYMENT.md shows how to create the two logins.",
    );
  }
}
