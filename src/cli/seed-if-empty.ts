import pg from "pg";

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
