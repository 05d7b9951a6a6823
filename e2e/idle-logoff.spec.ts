import { expect, test, type Page } from "@playwright/test";
import { HOME_TENANT, PASSWORD } from "./support/journeys";

/**
 * Automatic logoff with the page open (SECURITY.md, "Idle logoff"): the dashboard polls on its
 * own (key figures and the alerts badge every 60 s), but polls are not a person, so the session
 * still ends at SESSION_IDLE_MINUTES and the page shows the sign-in page saying why.
 * playwright.config.ts runs these on a server of their own whose limit is
 * E2E_SESSION_IDLE_MINUTES (1 by default).
 */

const ADMIN = `admin@${HOME_TENANT}.example`;
const idleMinutes = Number(process.env.E2E_SESSION_IDLE_MINUTES ?? "1");

/** Like journeys.signIn, with room for a cold server's first dashboard render. */
async function signIn(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible({ timeout: 30_000 });
}

test("a dashboard left open and untouched is signed out at the idle limit", async ({ page }) => {
  test.skip(idleMinutes > 2, `waits out the idle limit for real: run with E2E_SESSION_IDLE_MINUTES=1 (now ${idleMinutes})`);
  const idleMs = idleMinutes * 60_000;
  test.setTimeout(idleMs + 120_000);

  await signIn(page, ADMIN);
  await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();
  const openedAt = Date.now();
  const polls: { url: string; status: number }[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/api/trpc/")) polls.push({ url: response.url(), status: response.status() });
  });

  // Nobody touches the page. It must not stay signed in much past the limit.
  await expect(page).toHaveURL(/\/sign-in\?reason=idle/, { timeout: idleMs + 60_000 });
  const waited = Date.now() - openedAt;
  await expect(page.getByRole("status")).toHaveText("You were signed out after a period of inactivity.");
  // Not early either: the person was idle for (about) the whole limit.
  expect(waited).toBeGreaterThan(idleMs - 10_000);
  // The page did poll in the meantime (the badge and key figures), and that kept nothing alive.
  expect(polls.length, JSON.stringify(polls)).toBeGreaterThan(0);

  // The server agrees: the session cookie the browser still holds opens nothing any more.
  const after = await page.request.get("/api/v1/customers/me");
  expect(after.status()).toBe(401);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("a person's input keeps the session: clicking inside the limit moves the idle clock", async ({ page }) => {
  test.skip(idleMinutes > 2, `waits out the idle limit for real: run with E2E_SESSION_IDLE_MINUTES=1 (now ${idleMinutes})`);
  const idleMs = idleMinutes * 60_000;
  test.setTimeout(idleMs * 2 + 120_000);

  await signIn(page, ADMIN);
  await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();
  // Active for longer than the limit: a click every 20 s, each followed by the page's own poll.
  const until = Date.now() + idleMs + 20_000;
  while (Date.now() < until) {
    await page.getByRole("heading").first().click();
    await page.waitForTimeout(20_000);
    // A request after the click carries the new activity marker (the badge poll or this reload).
    await page.reload();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  }
  await expect(page).not.toHaveURL(/\/sign-in/);
});
