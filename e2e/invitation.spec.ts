import { expect, test } from "@playwright/test";
import { HOME_TENANT, mainNav, signIn } from "./support/journeys";

/**
 * Joining by invitation: an admin invites an address; the invitee opens the single-use link in
 * their own browser, chooses their own password and lands signed in, in the admin's tenant; the
 * admin then sees them as a member and changes their role; the spent link opens nothing.
 */

const ADMIN = `admin@${HOME_TENANT}.example`;

test("an admin invites, the invitee accepts via the link with their own password and is signed in", async ({ page, browser }) => {
  const invitee = `e2e-invitee-${Date.now()}@example.org`;
  const password = "invitee-chose-this-password";
  await signIn(page, ADMIN);
  await mainNav(page).getByRole("link", { name: "Users" }).click();
  const invite = page.getByRole("form", { name: "Invite a user" });
  await invite.getByLabel("Email").fill(invitee);
  await invite.getByLabel("Role").selectOption("VIEWER");
  await invite.getByRole("button", { name: "Invite" }).click();
  const link = (await page.getByTestId("invitation-link").textContent())!.trim();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invitation#token=dli_/);

  // The invitee, in a browser of their own (no session).
  const theirs = await browser.newContext();
  const them = await theirs.newPage();
  await them.goto(link);
  await expect(them.getByText(`${invitee} is invited to join`)).toBeVisible();
  const create = them.getByRole("form", { name: "Create your account" });
  await create.getByLabel("Your name").fill("E2E Invitee");
  await create.getByLabel("Password (at least 12 characters)").fill(password);
  await create.getByLabel("Password again").fill(password);
  await create.getByRole("button", { name: "Create account and join" }).click();
  await expect(them.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(them.locator(".who")).toContainText(invitee);
  await expect(them.locator(".who")).toContainText("VIEWER");

  // Signed out and in again with the password they chose.
  await theirs.clearCookies();
  await them.goto("/sign-in");
  await them.getByLabel("Email").fill(invitee);
  await them.getByLabel("Password").fill(password);
  await them.getByRole("button", { name: "Sign in" }).click();
  await expect(them.locator(".who")).toContainText(invitee);

  // The link was single-use.
  await theirs.clearCookies();
  await them.goto(link);
  await expect(them.getByText(/invitation link is not valid/)).toBeVisible();
  await theirs.close();

  // The admin sees a member now, and changes the role.
  await page.reload();
  const role = page.getByLabel(`Role of ${invitee}`);
  await expect(role).toHaveValue("VIEWER");
  await role.selectOption("ANALYST");
  await page.reload();
  await expect(page.getByLabel(`Role of ${invitee}`)).toHaveValue("ANALYST");
  await mainNav(page).getByRole("link", { name: "Audit log" }).click();
  for (const action of ["invitation.create", "invitation.accept", "user.update"]) {
    await expect(page.getByRole("cell", { name: action, exact: true }).first(), action).toBeVisible();
  }
});
