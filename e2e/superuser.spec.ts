import { expect, test } from "@playwright/test";
import { expectOtherTenantsObjectNotFound, mainNav, signIn } from "./support/journeys";

/**
 * Superuser journey: creates a tenant, switches into it — the switch is in the audit
 * log — and, acting in it, finds another tenant's object "not found".
 * The UI has no "create tenant" form yet: the tenant is created over the REST door with the
 * superuser's own session (the same procedure a form would call), then picked in the UI.
 */

test("a superuser creates a tenant, switches into it, and the switch is audited", async ({ page }) => {
  const slug = `e2e-tenant-${Date.now()}`;
  const name = `E2E Tenant ${Date.now()}`;
  await signIn(page, "superuser@driftline.example");
  await expect(page.getByRole("heading", { name: "Tenants" })).toBeVisible();

  const created = await page.request.post("/api/v1/customers", { data: { slug, name } });
  expect(created.status(), await created.text()).toBe(200);

  await page.reload();
  await page.getByPlaceholder("Name or slug").fill(slug);
  await page.getByRole("button", { name: `Switch to ${name}` }).click();
  await expect(page.getByText("(switched)")).toBeVisible();
  await expect(page.locator(".who")).toContainText(name);

  await mainNav(page).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("cell", { name: "tenant.switch", exact: true }).first()).toBeVisible();

  await expectOtherTenantsObjectNotFound(page);
});
