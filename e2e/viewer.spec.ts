import { expect, test } from "@playwright/test";
import { HOME_TENANT, expectOtherTenantsObjectNotFound, mainNav, signIn, sql } from "./support/journeys";

/**
 * VIEWER journey: reads the dashboard, scorecard, drift events and alerts; sees no PHI
 * claim lists and no admin navigation; typed admin and PHI URLs show the 403 page; another
 * tenant's object is "not found"; an idle session is logged off (HIPAA automatic logoff).
 */

const VIEWER = `viewer@${HOME_TENANT}.example`;

test("a viewer reads dashboard, scorecard, drift events and alerts, and nothing more", async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();

  await mainNav(page).getByRole("link", { name: "Scorecard" }).click();
  await expect(page.getByRole("heading", { name: "Payer scorecard" })).toBeVisible();
  await mainNav(page).getByRole("link", { name: "Drift events" }).click();
  await expect(page.getByRole("heading", { name: "Drift events" })).toBeVisible();
  await mainNav(page)
    .getByRole("link", { name: /Alerts/ })
    .click();
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await expect(page.getByText("Read-only: acknowledging and feedback need the ANALYST role.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);

  // No PHI lists and no admin pages in the navigation.
  for (const name of ["Claims", "Uploads", "Mappings", "Alert rules", "Webhooks", "Users", "API keys", "Audit log", "Tenants"]) {
    await expect(mainNav(page).getByRole("link", { name, exact: true })).toHaveCount(0);
  }
});

test("a viewer typing admin or PHI URLs gets the 403 page", async ({ page }) => {
  await signIn(page, VIEWER);
  for (const url of [
    "/claims",
    "/uploads",
    "/admin/users",
    "/admin/api-keys",
    "/admin/audit",
    "/admin/webhooks",
    "/admin/alert-rules",
    "/admin/mappings",
    "/tenants",
  ]) {
    await page.goto(url);
    await expect(page.getByRole("heading", { name: /403/ }), url).toBeVisible();
  }
  // The REST door with the same session: claim lines are 403 for a viewer.
  const claims = await page.request.get("/api/v1/claims?limit=1");
  expect(claims.status()).toBe(403);
});

test("a viewer opening another tenant's drift event sees not found", async ({ page }) => {
  await signIn(page, VIEWER);
  await expectOtherTenantsObjectNotFound(page);
});

test("an idle session is logged off (automatic logoff)", async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();
  // The idle clock, not the wall clock: the session was last seen longer ago than the timeout
  // (SESSION_IDLE_MINUTES, 15 by default) — as if the user had walked away from the screen.
  const moved = await sql<{ id: string }>(
    `UPDATE user_sessions SET last_seen_at = now() - interval '16 minutes'
     WHERE id = (SELECT s.id FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1 AND s.revoked_at IS NULL ORDER BY s.created_at DESC LIMIT 1)
     RETURNING id::text`,
    [VIEWER],
  );
  expect(moved).toHaveLength(1);
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in/);
  // The session is revoked for good, not just refused once.
  const [session] = await sql<{ revoked: boolean }>("SELECT revoked_at IS NOT NULL AS revoked FROM user_sessions WHERE id = $1", [moved[0]!.id]);
  expect(session!.revoked).toBe(true);
});
