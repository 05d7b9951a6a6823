import { expect, test, type Page } from "@playwright/test";
import { PASSWORD } from "./support/journeys";

/**
 * No page logs a console error or fails to load one of its own resources. The favicon is
 * checked directly: a browser asks for /favicon.ico on its own and shows the 404 in its console,
 * but headless Chromium reports neither to Playwright (seen with the icons removed: only the
 * first two checks failed), so the journey over the pages alone would not catch it.
 */

const SIGNED_OUT = ["/sign-in", "/api/v1/docs"];
const SIGNED_IN = [
  "/",
  "/drift-events",
  "/alerts",
  "/claims",
  "/runs",
  "/scorecard",
  "/uploads",
  "/admin/users",
  "/admin/api-keys",
  "/admin/alert-rules",
  "/admin/webhooks",
  "/admin/mappings",
  "/admin/audit",
];

/** Console errors, uncaught exceptions and failed same-origin requests while `page` is used. */
function watch(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${page.url()}: console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: uncaught ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400 && response.url().startsWith(origin)) problems.push(`${page.url()}: ${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => {
    // ERR_ABORTED: a request cancelled by the next navigation (the router's prefetches), not a fault.
    const reason = request.failure()?.errorText ?? "";
    if (request.url().startsWith(origin) && reason !== "net::ERR_ABORTED") problems.push(`${page.url()}: failed ${request.url()} (${reason})`);
  });
  return problems;
}

async function visit(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
}

test("the favicon and the app icon are served", async ({ request }) => {
  const ico = await request.get("/favicon.ico");
  expect(ico.status()).toBe(200);
  expect(ico.headers()["content-type"]).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
  const svg = await request.get("/icon.svg");
  expect(svg.status()).toBe(200);
  expect(svg.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
});

test("no signed-out page logs a console error or misses a resource", async ({ page, baseURL }) => {
  const problems = watch(page, baseURL!);
  for (const path of SIGNED_OUT) await visit(page, path);
  // The app's pages name their icon (Next.js adds the links for src/app/favicon.ico and icon.svg).
  const iconLinks = await page.goto("/sign-in").then(() => page.locator("link[rel~=icon]").count());
  expect({ problems, iconLinks: iconLinks > 0 }).toEqual({ problems: [], iconLinks: true });
});

test("no signed-in page logs a console error or misses a resource", async ({ page, baseURL }) => {
  test.setTimeout(180_000); // thirteen pages, each until the network is idle
  const problems = watch(page, baseURL!);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("admin@northwind-clinic.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The first sign-in after start-up can be slow on a busy machine (password hashing, first render).
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible({ timeout: 30_000 });
  for (const path of SIGNED_IN) await visit(page, path);
  expect(problems).toEqual([]);
});
