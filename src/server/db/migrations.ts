import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { resolveBinary } from "dbmate";
import pg from "pg";
import { installQueueSchema } from "../jobs/install-queue-schema";

/**
 * The schema of record is the SQL in prisma/migrations, applied by dbmate (Prisma's migration
 * engine cannot be downloaded here). dbmate runs each migration in its own transaction, so a
 * failed migration leaves the schema as it was.
 */

const run = promisify(execFile);
export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

export class MigrationError extends Error {}

function dbmateUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  // dbmate's driver insists on an explicit sslmode; local servers have no TLS.
  if (!url.searchParams.has("sslmode")) url.searchParams.set("sslmode", "disable");
  return url.toString();
}

async function dbmate(databaseUrl: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(resolveBinary(), ["--url", dbmateUrl(databaseUrl), "--migrations-dir", MIGRATIONS_DIR, "--no-dump-schema", ...args], {
      env: { ...process.env, DATABASE_URL: "" },
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const detail = (stderr || stdout || String(error)).trim().split("\n").slice(-3).join(" ");
    throw new MigrationError(`Migration failed (dbmate ${args[0]}): ${detail}`);
  }
}

/** Versions of the migration files, oldest first. */
export function migrationVersions(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .map((file) => file.split("_")[0]!)
    .sort();
}

/** Applies pending migrations, then installs or upgrades the job queue's schema: owner URL only. */
export async function migrateUp(databaseUrl: string): Promise<string> {
  const output = await dbmate(databaseUrl, ["up"]);
  await installQueueSchema(databaseUrl);
  return output;
}

/** Rolls back the newest `steps` migrations (all of them with Infinity). */
export async function migrateDown(databaseUrl: string, steps = 1): Promise<number> {
  let rolledBack = 0;
  while (rolledBack < steps && (await appliedVersions(databaseUrl)).length > 0) {
    await dbmate(databaseUrl, ["rollback"]);
    rolledBack += 1;
  }
  return rolledBack;
}

export async function appliedVersions(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('public.schema_migrations') AS t");
    if (!table.rows[0]?.t) return [];
    const rows = await client.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY version");
    return rows.rows.map((row) => row.version);
  } finally {
    await client.end();
  }
}

/** Migration files not yet applied (empty when the schema is current). */
export async function pendingVersions(databaseUrl: string): Promise<string[]> {
  const applied = new Set(await appliedVersions(databaseUrl));
  return migrationVersions().filter((version) => !applied.has(version));
}
