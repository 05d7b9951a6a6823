import { readFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import pg from "pg";
import { DEFAULT_LOGIN_NAMES } from "../../src/server/db/app-logins";

/**
 * Shared steps of the per-role RBAC journeys (viewer/analyst/admin/superuser.spec.ts) against
 * `npm start` with the demo data set. Set-up that no role may do through the UI (a drift event
 * and an alert to act on, an idle session) is written straight into the e2e server's embedded
 * database, found through its postmaster.pid — the same server the CLI attaches to.
 */

export const PASSWORD = "driftline-demo";
export const HOME_TENANT = "northwind-clinic";
export const OTHER_TENANT = "summit-ortho";

export async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The first sign-in after start-up hashes (argon2, slow on purpose) and renders cold: room for a busy machine.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible({ timeout: 30_000 });
}

/** No serious or critical axe-core violations on the page as it is now; `name` labels the findings. */
export async function expectNoSeriousViolations(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map(
      (v) =>
        `${name}: ${v.id} (${v.impact}) ${v.nodes
          .map((n) => n.target.join(" "))
          .slice(0, 3)
          .join(" | ")}`,
    ),
  ).toEqual([]);
}

export function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/** The e2e server's database (its data dir is set by playwright.config.ts). */
export function databaseUrl(): string {
  const dataDir = path.resolve(process.env.E2E_DATA_DIR ?? ".data/e2e");
  const lines = readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n");
  return `postgresql://postgres:driftline@127.0.0.1:${Number(lines[3])}/driftline`;
}

/**
 * The application's two logins on the e2e database (`npm start` creates them and keeps their
 * passwords in the data dir): what a second web process from the same build needs.
 */
export function appLoginUrls(): { platformUrl: string; tenantUrl: string } {
  const dataDir = path.resolve(process.env.E2E_DATA_DIR ?? ".data/e2e");
  const passwords = JSON.parse(readFileSync(path.join(dataDir, "database-logins.json"), "utf8")) as { platform: string; tenant: string };
  const as = (user: string, password: string) => {
    const url = new URL(databaseUrl());
    url.username = user;
    url.password = encodeURIComponent(password);
    return url.toString();
  };
  return { platformUrl: as(DEFAULT_LOGIN_NAMES.platform, passwords.platform), tenantUrl: as(DEFAULT_LOGIN_NAMES.tenant, passwords.tenant) };
}

export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function customerId(slug: string): Promise<string> {
  const [row] = await sql<{ id: string }>("SELECT id::text FROM customers WHERE slug = $1", [slug]);
  if (!row) throw new Error(`no tenant ${slug} in the e2e database`);
  return row.id;
}

/** A drift event of `slug` (an existing one, or one written as detection would leave it). */
export async function driftEventOf(slug: string): Promise<string> {
  const id = await customerId(slug);
  const [existing] = await sql<{ id: string }>("SELECT id::text FROM drift_events WHERE customer_id = $1 ORDER BY created_at LIMIT 1", [id]);
  if (existing) return existing.id;
  const [row] = await sql<{ id: string }>(
    `INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, status, resolved_at, baseline_value, current_value, delta, delta_ci_low,
       delta_ci_high, p_value, q_value, severity, direction, estimated_revenue_impact, baseline_sample_size, current_sample_size,
       baseline_start, baseline_end, current_start, current_end)
     SELECT $1::uuid, p.id, 'EM', 'DENIAL_RATE', 'RESOLVED', now(), 0.1, 0.3, 0.2, 0.15, 0.25, 0.0001, 0.001, 0.8, 'UP', 25000, 400, 120,
       current_date - 104, current_date - 15, current_date - 14, current_date
     FROM payers p WHERE p.customer_id IS NULL ORDER BY p.name LIMIT 1
     RETURNING id::text`,
    [id],
  );
  return row!.id;
}

/** A PENDING alert of `slug` under a fresh rule, on one of its drift events. */
export async function pendingAlertOf(slug: string): Promise<{ alertId: string; ruleName: string }> {
  const id = await customerId(slug);
  const driftEventId = await driftEventOf(slug);
  const ruleName = `e2e rule ${Date.now()}`;
  const [rule] = await sql<{ id: string }>("INSERT INTO alert_rules (customer_id, name, enabled) VALUES ($1, $2, false) RETURNING id::text", [id, ruleName]);
  const [alert] = await sql<{ id: string }>("INSERT INTO alert_events (customer_id, rule_id, drift_event_id) VALUES ($1, $2, $3) RETURNING id::text", [
    id,
    rule!.id,
    driftEventId,
  ]);
  return { alertId: alert!.id, ruleName };
}

/** Another tenant's object in the one UI route that takes an id: the app answers "not found". */
export async function expectOtherTenantsObjectNotFound(page: Page) {
  const foreign = await driftEventOf(OTHER_TENANT);
  await page.goto(`/drift-events/${foreign}`);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText("belongs to another organisation")).toBeVisible();
  // The same id over the REST door with the session: a 404 problem, never the object.
  const response = await page.request.get(`/api/v1/drift-events/${foreign}`);
  expect(response.status()).toBe(404);
  expect(response.headers()["content-type"]).toBe("application/problem+json");
}
