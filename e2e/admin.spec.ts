import { expect, test } from "@playwright/test";
import { HOME_TENANT, expectOtherTenantsObjectNotFound, mainNav, signIn } from "./support/journeys";

/**
 * ADMIN journey: creates an alert rule, a webhook endpoint and sends it a test event,
 * creates an API key, invites someone (the link is shown once: no e-mail in this set-up), and
 * reads each change in the audit log; another tenant's object is "not found". Accepting the
 * invitation and changing the new member's role is invitation.spec.ts.
 */

const ADMIN = `admin@${HOME_TENANT}.example`;

test("an admin manages rules, endpoints, keys and users, and reads the audit log", async ({ page }) => {
  const stamp = Date.now();
  await signIn(page, ADMIN);

  await mainNav(page).getByRole("link", { name: "Alert rules" }).click();
  await page.getByLabel("Name").fill(`e2e admin rule ${stamp}`);
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("cell", { name: `e2e admin rule ${stamp}` })).toBeVisible();

  await mainNav(page).getByRole("link", { name: "Webhooks" }).click();
  const form = page.getByRole("form", { name: "Add a webhook endpoint" });
  // A public address literal: the SSRF guard accepts it without DNS; the test event goes to the
  // outbox (delivery on this closed network fails and is retried — not what this journey checks).
  await form.getByLabel("URL (https, public address)").fill(`https://93.184.216.34/e2e-${stamp}`);
  await form.getByLabel("Description").fill(`e2e endpoint ${stamp}`);
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  const endpointRow = page.getByRole("row").filter({ hasText: `e2e endpoint ${stamp}` });
  await endpointRow.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Test event queued" })).toBeVisible();

  await mainNav(page).getByRole("link", { name: "API keys" }).click();
  await page.getByLabel("Name").fill(`e2e admin key ${stamp}`);
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-api-key")).toHaveText(/^dl_/);

  const invited = `e2e-${stamp}@${HOME_TENANT}.example`;
  await mainNav(page).getByRole("link", { name: "Users" }).click();
  const invite = page.getByRole("form", { name: "Invite a user" });
  await invite.getByLabel("Email").fill(invited);
  await invite.getByLabel("Role").selectOption("VIEWER");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByTestId("invitation-link")).toHaveText(/\/invitation#token=dli_/);
  // Not a member until the person accepts: an open invitation.
  await expect(page.getByRole("row").filter({ hasText: invited })).toContainText("VIEWER");
  await expect(page.getByLabel(`Role of ${invited}`)).toHaveCount(0);
  // The link is shown once: after a reload it is gone.
  await page.reload();
  await expect(page.getByTestId("invitation-link")).toHaveCount(0);

  await mainNav(page).getByRole("link", { name: "Audit log" }).click();
  for (const action of ["alert_rule.create", "webhook_endpoint.create", "webhook_endpoint.test", "api_key.create", "invitation.create"]) {
    await expect(page.getByRole("cell", { name: action, exact: true }).first(), action).toBeVisible();
  }
});

test("an admin opening another tenant's drift event sees not found", async ({ page }) => {
  await signIn(page, ADMIN);
  await expectOtherTenantsObjectNotFound(page);
});
