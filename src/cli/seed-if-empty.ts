import pg from "pg";
import type { TEnv } from "@/env";

/**
 * On a database with no tenants, loads the demo data set (README lists its sign-ins). Returns
 * the new tenants' ids, so start-up can queue their first detection run and the dashboard
 * shows the planted drifts on first open.
 */
export async function seedIfEmpty(databaseUrl: string, claims: number, log: (message: string) => void): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM customers");
    if (rows[0]?.n !== "0") return [];
  } finally {
    await client.end();
  }
  log("Empty database: loading the demo data set (about a minute)…");
  // Loaded only when needed: the generator is not part of a normal start.
  const { seedDemo } = await import("../../prisma/seed/seed-demo");
  const summary = await seedDemo(databaseUrl, { tenants: 5, claims, log });
  log(`Demo data loaded: ${summary.tenants.length} tenants in ${Math.round(summary.elapsedMs / 1000)} s.`);
  return summary.tenants.map((tenant) => tenant.id);
}

/**
 * What `npm start` does with the database after migrating: the demo data set when asked for
 * (development only: env.ts refuses it in production), and on a database with no account at all
 * the way to create the first one. Returns the tenants seeded.
 */
export async function firstStart(
  databaseUrl: string,
  config: Pick<TEnv, "DRIFTLINE_MODE" | "SEED_DEMO_DATA" | "SEED_DEMO_CLAIMS">,
  log: (message: string) => void,
): Promise<string[]> {
  if (config.SEED_DEMO_DATA && config.DRIFTLINE_MODE === "production") throw new Error("SEED_DEMO_DATA is refused in production.");
  const seeded = config.SEED_DEMO_DATA ? await seedIfEmpty(databaseUrl, config.SEED_DEMO_CLAIMS, log) : [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM users");
    if (rows[0]?.n === "0") {
      log("No accounts yet. Create the first administrator (the password is asked for without echo,");
      log("or piped on stdin; never given on the command line):");
      log("  npm run driftline -- create-user --email you@example.org --superuser");
      log("then sign in, create a customer on the Tenants page and invite its people.");
    }
  } finally {
    await client.end();
  }
  return seeded;
}
