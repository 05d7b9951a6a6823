import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedVersions, migrateDown, migrateUp, migrationVersions, pendingVersions } from "./migrations";

/** Every migration applies, rolls back completely, and applies again on a database of its own. */
const adminUrl = process.env.TEST_ADMIN_DATABASE_URL!;
const dbName = `driftline_roundtrip_${process.pid}_${Date.now()}`;
const url = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function schemaObjects(): Promise<string[]> {
  const rows = await query<{ name: string }>(`
    SELECT 'table ' || table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
    UNION ALL SELECT 'type ' || typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype = 'e'
    UNION ALL SELECT 'function ' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    ORDER BY 1`);
  return rows.map((row) => row.name);
}

describe("migrations", () => {
  beforeAll(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
  });
  afterAll(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await client.end();
  });

  it("apply all, roll all back to an empty schema, and apply all again to the same schema", async () => {
    await migrateUp(url);
    expect(await pendingVersions(url)).toEqual([]);
    const first = await schemaObjects();
    expect(first).toContain("table claim_lines");
    expect(first).toContain("table drift_events");

    const steps = await migrateDown(url, Infinity);
    expect(steps).toBe(migrationVersions().length);
    expect(await appliedVersions(url)).toEqual([]);
    expect(await schemaObjects()).toEqual([]);

    await migrateUp(url);
    expect(await schemaObjects()).toEqual(first);
  });
});
