import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertAppLogins, loginProblems, PLATFORM_ROLE, TENANT_ROLE } from "@/server/db/app-logins";
import { db, tenantClient } from "@/server/db/client";
import { withTenantTransaction } from "@/server/db/tenant-scope";
import { createTestTenant, type TTestTenant } from "@/test/factories";

/**
 * Role separation (migration 20261203000090, SECURITY.md "Database roles"). The application logs
 * in as two roles that are neither the owner, a superuser nor BYPASSRLS; only migrations use the
 * owner. Global setup runs every suite this way, so the whole suite also proves nothing needs
 * more. Here: what an injected statement could try as either login, and the schema conventions
 * every table must follow for these roles (a new table that breaks them is named).
 */

const urls = {
  platform: process.env.DATABASE_URL!,
  tenant: process.env.DATABASE_TENANT_URL!,
  owner: process.env.MIGRATION_DATABASE_URL!,
};

let a: TTestTenant;
let b: TTestTenant;
const clients: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

beforeAll(async () => {
  [a, b] = await Promise.all([createTestTenant(), createTestTenant()]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => {})));
});

const count = async (client: pg.Client, sql: string, params: unknown[] = []) => (await client.query<{ n: number }>(sql, params)).rows[0]!.n;

describe("the application's logins", () => {
  it("the process's two pools log in as the platform and tenant logins, not the owner", async () => {
    const [platform] = await db().$queryRaw<Array<{ login: string }>>`SELECT session_user::text AS login`;
    const [tenant] = await tenantClient().$queryRaw<Array<{ login: string }>>`SELECT session_user::text AS login`;
    const owner = await connect(urls.owner);
    const ownerLogin = (await owner.query<{ login: string }>("SELECT session_user::text AS login")).rows[0]!.login;
    expect(new Set([platform!.login, tenant!.login, ownerLogin]).size).toBe(3);
    expect(await loginProblems(urls.platform, "platform")).toEqual([]);
    expect(await loginProblems(urls.tenant, "tenant")).toEqual([]);
  });

  it("start-up refuses to run the application as the owner, naming the variables", async () => {
    expect(await loginProblems(urls.owner, "tenant")).not.toEqual([]);
    await expect(assertAppLogins({ platformUrl: urls.owner, tenantUrl: urls.tenant })).rejects.toThrow(/DATABASE_URL: .*(superuser|owns tables)/);
    await expect(assertAppLogins({ platformUrl: urls.platform, tenantUrl: urls.platform })).rejects.toThrow(
      new RegExp(`DATABASE_TENANT_URL: .*(not a member of ${TENANT_ROLE}|member of ${PLATFORM_ROLE})`),
    );
  });

  it("tenant login: an injected RESET ROLE still sees only the tenant in scope, and cannot become anyone else", async () => {
    const tenant = await connect(urls.tenant);
    await tenant.query("BEGIN");
    await tenant.query("SELECT set_config('role', $1, true), set_config('app.customer_id', $2, true)", [TENANT_ROLE, a.customer.id]);
    await tenant.query("RESET ROLE");
    expect(await count(tenant, "SELECT count(*)::int AS n FROM memberships WHERE customer_id = $1", [b.customer.id])).toBe(0);
    expect(await count(tenant, "SELECT count(*)::int AS n FROM customers")).toBe(1);
    expect(await count(tenant, "SELECT count(*)::int AS n FROM memberships WHERE customer_id = $1", [a.customer.id])).toBeGreaterThan(0);
    await tenant.query("ROLLBACK");
    // With no tenant set, nothing at all.
    expect(await count(tenant, "SELECT count(*)::int AS n FROM memberships")).toBe(0);
    // Neither the platform role nor the owner can be taken on.
    await expect(tenant.query(`SET ROLE ${PLATFORM_ROLE}`)).rejects.toThrow(/permission denied/);
    const owner = await connect(urls.owner);
    const ownerLogin = (await owner.query<{ login: string }>("SELECT session_user::text AS login")).rows[0]!.login;
    await expect(tenant.query(`SET ROLE ${tenant.escapeIdentifier(ownerLogin)}`)).rejects.toThrow(/permission denied/);
    // The owner does see B's rows: the zero above is the policy, not an empty table.
    expect(await count(owner, "SELECT count(*)::int AS n FROM memberships WHERE customer_id = $1", [b.customer.id])).toBeGreaterThan(0);
  });

  it("through the application's own tenant transaction, RESET ROLE then reading B gets nothing", async () => {
    const seen = await withTenantTransaction(a.customer.id, async (tx) => {
      await tx.$executeRawUnsafe("RESET ROLE");
      const [row] = await tx.$queryRawUnsafe<Array<{ n: number }>>("SELECT count(*)::int AS n FROM api_keys WHERE customer_id = $1::uuid", b.customer.id);
      return row!.n;
    });
    expect(seen).toBe(0);
  });

  for (const kind of ["tenant", "platform"] as const) {
    it(`${kind} login: audit_events cannot be updated, deleted, truncated, or have its trigger or RLS turned off`, async () => {
      const client = await connect(urls[kind]);
      await client.query("RESET ROLE");
      if (kind === "tenant") await client.query("SELECT set_config('app.customer_id', $1, false)", [a.customer.id]);
      for (const sql of ["UPDATE audit_events SET action = 'rewritten' WHERE customer_id = $1", "DELETE FROM audit_events WHERE customer_id = $1"]) {
        await expect(client.query(sql, [a.customer.id]), sql).rejects.toThrow(/permission denied/);
      }
      for (const sql of [
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "ALTER TABLE audit_events DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE claim_lines DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON claim_lines",
        "CREATE TABLE smuggled (id int)",
      ]) {
        await expect(client.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
      }
      const audit = await connect(urls.owner);
      expect(await count(audit, "SELECT count(*)::int AS n FROM audit_events WHERE action = 'rewritten'")).toBe(0);
    });
  }

  it("platform login: reads every tenant by its explicit policy (the cross-tenant paths), RESET ROLE changes nothing", async () => {
    const platform = await connect(urls.platform);
    await platform.query("RESET ROLE");
    expect(await count(platform, "SELECT count(*)::int AS n FROM customers WHERE id = ANY($1::uuid[])", [[a.customer.id, b.customer.id]])).toBe(2);
    const { rows } = await platform.query<{ superuser: boolean; bypass: boolean }>(
      "SELECT rolsuper AS superuser, rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user",
    );
    expect(rows[0]).toEqual({ superuser: false, bypass: false });
  });
});

/** Tables of the schema that belong to no tenant and need no tenant policy, with the reason. */
const NOT_TENANT_TABLES: Record<string, string> = {
  customers: "the tenants themselves (policy on id, not customer_id)",
  users: "accounts are global; the tenant role sees them through memberships",
  user_sessions: "sessions of accounts; the tenant role reads its members' only",
  cpt_groups: "a read-only catalogue shared by every tenant",
  rate_limits: "platform counters",
  worker_heartbeats: "platform liveness",
  schema_migrations: "the migration tool's ledger",
};

describe("schema conventions for the roles (every table, including those added later)", () => {
  let owner: pg.Client;
  beforeAll(async () => {
    owner = await connect(urls.owner);
  });

  async function tables(): Promise<Array<{ name: string; tenant: boolean; rls: boolean; policies: string[] }>> {
    const { rows } = await owner.query<{ name: string; tenant: boolean; rls: boolean; policies: string[] }>(`
      SELECT c.relname::text AS name,
        EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'customer_id' AND NOT a.attisdropped) AS tenant,
        c.relrowsecurity AS rls,
        ARRAY(SELECT DISTINCT r.rolname::text FROM pg_policy p CROSS JOIN LATERAL unnest(p.polroles) AS pr(oid) JOIN pg_roles r ON r.oid = pr.oid
              WHERE p.polrelid = c.oid ORDER BY 1) AS policies
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY 1`);
    return rows;
  }

  it("every tenant table has RLS with a policy for the tenant role and one for the platform role", async () => {
    const broken: string[] = [];
    for (const table of await tables()) {
      if (!table.tenant || NOT_TENANT_TABLES[table.name]) continue;
      if (!table.rls) broken.push(`${table.name}: row-level security not enabled`);
      for (const role of [TENANT_ROLE, PLATFORM_ROLE]) {
        if (!table.policies.includes(role)) broken.push(`${table.name}: no policy for ${role}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("every table is readable and writable by the platform role, except the append-only audit log and the migration ledger", async () => {
    const broken: string[] = [];
    for (const table of await tables()) {
      const { rows } = await owner.query<Record<string, boolean>>(
        `SELECT ${["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"].map((p) => `has_table_privilege($1, $2, '${p}') AS "${p}"`).join(", ")}`,
        [PLATFORM_ROLE, `public.${table.name}`],
      );
      const granted = Object.entries(rows[0]!)
        .filter(([, yes]) => yes)
        .map(([privilege]) => privilege)
        .join(",");
      const expected = table.name === "audit_events" ? "SELECT,INSERT" : table.name === "schema_migrations" ? "SELECT" : "SELECT,INSERT,UPDATE,DELETE";
      if (granted !== expected) broken.push(`${table.name}: ${PLATFORM_ROLE} has ${granted || "nothing"}, expected ${expected}`);
      if (table.rls && !table.policies.includes(PLATFORM_ROLE)) broken.push(`${table.name}: RLS on but no policy for ${PLATFORM_ROLE}`);
    }
    expect(broken).toEqual([]);
  });

  it("no application role owns a table of the schema or may rewrite the audit log", async () => {
    const { rows } = await owner.query<{ name: string; owner: string }>(
      `
      SELECT c.relname::text AS name, r.rolname::text AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_roles r ON r.oid = c.relowner
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND r.rolname IN ($1, $2)`,
      [TENANT_ROLE, PLATFORM_ROLE],
    );
    expect(rows).toEqual([]);
    for (const role of [TENANT_ROLE, PLATFORM_ROLE]) {
      for (const privilege of ["UPDATE", "DELETE", "TRUNCATE"]) {
        const { rows: granted } = await owner.query<{ yes: boolean }>("SELECT has_table_privilege($1, 'public.audit_events', $2) AS yes", [role, privilege]);
        expect(granted[0]!.yes, `${role} ${privilege} audit_events`).toBe(false);
      }
    }
  });
});
