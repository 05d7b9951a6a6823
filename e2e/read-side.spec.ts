import { expect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations, PASSWORD, signIn } from "./support/journeys";

/**
 * The clinic's read side in a real browser with the demo data: dashboard, payer scorecard, drift
 * explorer and detail, runs with "Run now", exports, the superuser's tenant switch; every role;
 * axe-core finds no serious or critical violations; laptop and tablet layouts. With
 * E2E_SCREENSHOTS=1, screenshots of the dashboard and a drift detail are written to
 * public/screenshots/ for the README.
 */

const TENANT = "northwind-clinic";
const LAPTOP = { width: 1366, height: 768 };
const TABLET = { width: 768, height: 1024 };

test.describe.configure({ mode: "serial" });

/** Loaded: no skeleton or busy region left (the pages poll, so "network idle" never comes). */
async function settled(page: Page) {
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0, { timeout: 15_000 });
  await expect(page.locator(".skeleton")).toHaveCount(0, { timeout: 15_000 });
}

async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
}

let driftDetailUrl: string | null = null;

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/**
 * A small, unmistakable drift sent through the JSON batch API with the signed-in session (the
 * demo data set the e2e server loads is small, so its planted drifts may fall under the minimum
 * sample): one payer's E/M denials go from 5 % over the 90-day baseline to 45 % in the last two
 * weeks.
 */
function plantedDriftLines() {
  const lines = [];
  for (let i = 0; i < 400; i += 1) {
    const current = i < 90;
    const decided = current ? 2 + (i % 11) : 20 + (i % 80);
    const denied = current ? i % 20 < 9 : i % 20 === 0;
    lines.push({
      submitterClaimId: `E2E-DRIFT-${i}`,
      lineNumber: 1,
      payerName: "Harbor Point Health Plan",
      cptCode: "99214",
      units: 1,
      serviceDate: day(decided + 12),
      submittedAt: day(decided + 10),
      decidedAt: day(decided),
      billedAmount: "240.00",
      allowedAmount: denied ? undefined : "130.00",
      paidAmount: denied ? "0.00" : "130.00",
      outcome: denied ? "DENIED" : "PAID",
      denialReason: denied ? "CO-197" : undefined,
    });
  }
  return lines;
}

test("an analyst runs detection with live progress, then the drift explorer lists what it found", async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(LAPTOP);
  await signIn(page, `analyst@${TENANT}.example`);
  const ingest = await page.request.post("/api/v1/ingest/claims", {
    headers: { "idempotency-key": `e2e-read-side-${Date.now()}` },
    data: { lines: plantedDriftLines() },
  });
  expect(ingest.status(), await ingest.text()).toBe(200);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  await expect(page.getByRole("heading", { name: "Detection runs" })).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("run-status")).toHaveText(/queued|running|succeeded/);
  await expect(page.getByTestId("run-status")).toHaveText("succeeded", { timeout: 150_000 });
  await expect(page.getByText(/payer × procedure cells/)).toBeVisible();
  // The batch itself may have queued an UPLOAD run: "Run now" then follows that one.
  await expect(page.getByRole("table").getByText("succeeded").first()).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Drift events" }).click();
  await expect(page.getByRole("heading", { name: "Drift events" })).toBeVisible();
  await page.getByLabel("Search").fill("Harbor Point");
  await expect(page).toHaveURL(/q=Harbor/);
  const link = page
    .getByRole("table")
    .getByRole("link", { name: /Denial rate/ })
    .first();
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole("heading", { name: "What this means" })).toBeVisible();
  await expect(page.locator(".headline")).toContainText(/Denial rate rose from [\d.]+ % to [\d.]+ % on \d+ claim lines/);
  await expect(page.getByRole("figure", { name: /baseline .* vs current/ })).toBeVisible();
  driftDetailUrl = page.url();
});

for (const role of ["viewer", "analyst", "admin"] as const) {
  test(`the ${role} sees the dashboard, scorecard, drift events and runs`, async ({ page }) => {
    await page.setViewportSize(LAPTOP);
    await signIn(page, `${role}@${TENANT}.example`);
    await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();
    await expect(page.getByText("Revenue at risk", { exact: true })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Denial rate, last 6 months" })).toBeVisible();
    await expect(page.getByRole("figure", { name: /denial rate by month/ })).toBeVisible();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scorecard" }).click();
    await expect(page.getByRole("heading", { name: "Payer scorecard" })).toBeVisible();
    const rows = page.getByRole("table").getByRole("row");
    await expect(rows.nth(1)).toBeVisible();
    const exportButton = page.getByRole("button", { name: "Export CSV" });
    if (role === "viewer") await expect(exportButton).toHaveCount(0);
    else await expect(exportButton).toBeVisible();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Drift events" }).click();
    await expect(page.getByRole("heading", { name: "Drift events" })).toBeVisible();
    await expect(page.getByRole("search", { name: "Filter drift events" })).toBeVisible();

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
    await expect(page.getByRole("heading", { name: "Detection runs" })).toBeVisible();
    if (role === "viewer") await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
    else await expect(page.getByRole("button", { name: "Run now" })).toBeVisible();
  });
}

test("the scorecard sorts by a column, changes period, and exports a CSV", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await signIn(page, `analyst@${TENANT}.example`);
  await page.goto("/scorecard");
  const header = page.getByRole("columnheader", { name: /Denial rate/ }).first();
  await header.getByRole("button").click();
  await expect(header).toHaveAttribute("aria-sort", "descending");
  await expect(page).toHaveURL(/ordering=-denialRate/);
  await expect(page.getByRole("region", { name: "Payer scorecard table" })).toHaveAttribute("aria-busy", "false");
  const rates = await page.locator("tbody tr td:nth-child(4)").allTextContents();
  const values = rates.map((text) => Number.parseFloat(text));
  expect(values).toEqual([...values].sort((a, b) => b - a));

  await page.getByRole("button", { name: "Last 30 days" }).click();
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}/);
  await expect(page.getByRole("table").getByRole("row").nth(1)).toBeVisible();

  await page.getByRole("button", { name: "Export CSV" }).click();
  const link = page.getByRole("link", { name: /Download CSV/ });
  await expect(link).toBeVisible({ timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const csv = Buffer.concat(chunks).toString("utf8");
  expect(csv.split("\r\n")[0]).toMatch(/^payer,period_from,period_to,total_lines/);
  expect(csv.split("\r\n").filter(Boolean).length).toBeGreaterThan(1);
});

test("the drift explorer filters, searches and switches to page numbers", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await signIn(page, `viewer@${TENANT}.example`);
  await page.goto("/drift-events");
  await page.getByLabel("Status").selectOption("ACTIVE");
  await expect(page).toHaveURL(/status=ACTIVE/);
  await page.getByLabel("Search").fill("zzzz-no-such-payer");
  await expect(page.getByText("No drift events match")).toBeVisible();
  await page.getByLabel("Search").fill("");
  await page.getByRole("button", { name: "Pages" }).click();
  await expect(page).toHaveURL(/mode=pages/);
  await expect(page.getByRole("table").or(page.getByText("No drift events match"))).toBeVisible();
});

test("a superuser lands on the tenant list and switches into a tenant (audited)", async ({ page }) => {
  await page.setViewportSize(LAPTOP);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("superuser@driftline.example");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Tenants" })).toBeVisible();
  await page.getByRole("button", { name: "Switch to Northwind", exact: false }).first().click();
  await expect(page.getByRole("list", { name: "Key figures" })).toBeVisible();
  await expect(page.getByText("(switched)")).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("cell", { name: "tenant.switch" }).first()).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tenants" }).click();
  await page.getByRole("button", { name: "Leave the current tenant" }).click();
  await expect(page.getByText("no tenant selected")).toBeVisible();
});

test("accessibility: no serious or critical axe violations; laptop and tablet layouts", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, `analyst@${TENANT}.example`);
  const pages: [string, string][] = [
    ["dashboard", "/"],
    ["scorecard", "/scorecard"],
    ["drift list", "/drift-events"],
  ];
  if (driftDetailUrl) pages.push(["drift detail", new URL(driftDetailUrl).pathname]);
  for (const viewport of [LAPTOP, TABLET]) {
    await page.setViewportSize(viewport);
    for (const [name, path] of pages) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await settled(page);
      await expectNoSeriousViolations(page, `${name} at ${viewport.width}px`);
      await expectNoHorizontalScroll(page);
    }
  }
  // Screenshots for the README (laptop size), on request only so test runs leave the tree clean.
  if (!process.env.E2E_SCREENSHOTS) return;
  await page.setViewportSize(LAPTOP);
  await page.goto("/");
  await settled(page);
  await page.screenshot({ path: "public/screenshots/dashboard.png" });
  if (driftDetailUrl) {
    await page.goto(new URL(driftDetailUrl).pathname);
    await settled(page);
    await page.screenshot({ path: "public/screenshots/drift-detail.png" });
  }
});
