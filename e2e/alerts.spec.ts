import { expect, test, type Page } from "@playwright/test";

/**
 * Alerts and webhooks in a real browser against `npm start` with the demo data: the ADMIN adds a
 * webhook endpoint (secret revealed once), rotates it, sends a test event and reads the delivery
 * log; creates an alert rule; a detection run raises alerts; the ANALYST acknowledges in bulk
 * and gives feedback; the VIEWER sees alerts read-only.
 */

const PASSWORD = "driftline-demo";
const TENANT = "northwind-clinic";

test.describe.configure({ mode: "serial" });

async function signIn(page: Page, role: "admin" | "analyst" | "viewer") {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(`${role}@${TENANT}.example`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** One payer's E/M denials jump from 5 % to 45 % in the current window (as in read-side.spec). */
function plantedDriftLines() {
  return Array.from({ length: 400 }, (_, i) => {
    const current = i < 90;
    const decided = current ? 2 + (i % 11) : 20 + (i % 80);
    const denied = current ? i % 20 < 9 : i % 20 === 0;
    return {
      submitterClaimId: `E2E-ALERT-${i}`,
      lineNumber: 1,
      payerName: "Lakeside Alerts Health",
      cptCode: "99213",
      units: 1,
      serviceDate: day(decided + 12),
      submittedAt: day(decided + 10),
      decidedAt: day(decided),
      billedAmount: "200.00",
      allowedAmount: denied ? undefined : "110.00",
      paidAmount: denied ? "0.00" : "110.00",
      outcome: denied ? "DENIED" : "PAID",
      denialReason: denied ? "CO-197" : undefined,
    };
  });
}

test("the admin manages webhook endpoints: secret once, rotate, send test, delivery log", async ({ page }) => {
  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
  // The SSRF guard refuses private targets.
  await page.getByLabel("URL (https, public address)").fill("https://127.0.0.1/hook");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByText(/Webhook URL refused/)).toBeVisible();
  await page.getByLabel("URL (https, public address)").fill("https://93.184.216.34/driftline-e2e");
  await page.getByLabel("Description").fill("E2E receiver");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = page.getByTestId("webhook-secret");
  await expect(secret).toHaveText(/^whsec_[A-Za-z0-9+/]+=*$/);
  const first = await secret.textContent();
  await page.reload();
  await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
  await expect(page.getByText(first!)).toHaveCount(0);

  const row = page.getByRole("row", { name: /E2E receiver/ });
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Rotate secret" }).click();
  await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  expect(await page.getByTestId("webhook-secret").textContent()).not.toBe(first);
  await expect(row).toContainText(/old secret signs until/);

  await row.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByText(/Test event queued/)).toBeVisible();
  const delivery = page.getByRole("row", { name: /webhook\.test/ }).first();
  await expect(delivery).toBeVisible();
  await delivery.getByRole("button", { name: "Attempts" }).click();
  await expect(page.getByRole("region", { name: "Delivery attempts" })).toBeVisible();
});

test("the admin creates an alert rule; a detection run raises alerts", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alert rules" }).click();
  await expect(page.getByRole("heading", { name: "Alert rules" })).toBeVisible();
  await page.getByLabel("Name").fill("E2E every drift");
  await page.getByRole("checkbox", { name: /E2E receiver/ }).check();
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("row", { name: /E2E every drift/ })).toContainText("1 webhook");

  const ingest = await page.request.post("/api/v1/ingest/claims", {
    headers: { "idempotency-key": `e2e-alerts-${Date.now()}` },
    data: { lines: plantedDriftLines() },
  });
  expect(ingest.status(), await ingest.text()).toBe(200);
  const trigger = await page.request.post("/api/v1/reports/trigger", { data: {} });
  expect(trigger.status(), await trigger.text()).toBe(200);
  await expect
    .poll(async () => (await (await page.request.get("/api/v1/alerts/active?pageSize=1")).json()).total as number, { timeout: 180_000, intervals: [2000] })
    .toBeGreaterThan(0);
});

test("the analyst acknowledges in bulk and gives feedback; the badge counts active alerts", async ({ page }) => {
  await signIn(page, "analyst");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByTestId("alerts-badge")).toBeVisible();
  await nav.getByRole("link", { name: /^Alerts/ }).click();
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /Select alert/ }).first()).toBeVisible();
  const total = await page
    .getByRole("table")
    .getByRole("checkbox", { name: /Select alert/ })
    .count();
  await page
    .getByRole("checkbox", { name: /Select alert/ })
    .first()
    .check();
  await page.getByRole("button", { name: "Acknowledge selected (1)" }).click();
  await expect(page.getByText(/Acknowledged 1; skipped 0/)).toBeVisible();
  await expect(page.getByRole("checkbox", { name: /Select alert/ })).toHaveCount(total - 1);

  await page.getByRole("tab", { name: "All alerts" }).click();
  const acknowledged = page.getByRole("row", { name: /ACKNOWLEDGED/ }).first();
  await acknowledged.getByRole("button", { name: "Feedback" }).click();
  const dialog = page.getByRole("dialog", { name: "Alert feedback" });
  await dialog.getByLabel("Verdict").selectOption("REAL");
  await dialog.getByLabel("Reason codes (comma-separated)").fill("CONTRACT, CODING");
  await dialog.getByLabel("Recovered amount ($)").fill("150.00");
  await dialog.getByRole("button", { name: "Save feedback" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("row", { name: /REAL/ }).first()).toBeVisible();
  await expect(page.getByRole("row", { name: /REAL/ }).first().getByRole("button", { name: "Edit feedback" })).toBeVisible();
});

test("the viewer sees alerts read-only and no admin pages", async ({ page }) => {
  await signIn(page, "viewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  await nav.getByRole("link", { name: /^Alerts/ }).click();
  await expect(page.getByText(/Read-only/)).toBeVisible();
  await page.getByRole("tab", { name: "All alerts" }).click();
  await expect(
    page
      .getByRole("table")
      .getByRole("row", { name: /ACKNOWLEDGED|PENDING|SENT|FAILED|RESOLVED/ })
      .first(),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: /Acknowledge/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Feedback/ })).toHaveCount(0);
  await page.goto("/admin/webhooks");
  await expect(page).toHaveURL(/forbidden/);
});
