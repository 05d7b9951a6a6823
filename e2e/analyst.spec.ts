import { expect, test } from "@playwright/test";
import { expectOtherTenantsObjectNotFound, mainNav, pendingAlertOf, signIn } from "./support/journeys";

/**
 * ANALYST journey: uploads a file, sees its claim lines, acknowledges an alert and
 * gives feedback on it, triggers a detection run; another tenant's object is "not found".
 */

const TENANT = "lakeside-health";
const ANALYST = `analyst@${TENANT}.example`;

test.describe.configure({ mode: "serial" });

test("an analyst uploads a CSV and sees its claim lines", async ({ page }) => {
  const claimId = `E2E-AN-${Date.now()}`;
  const csv = [
    "submitterClaimId,lineNumber,payerName,cptCode,units,serviceDate,submittedAt,decidedAt,paidAt,billedAmount,allowedAmount,paidAmount,outcome",
    `${claimId},1,Aetna,99213,1,2026-10-01,2026-10-02,2026-10-15,2026-10-16,150.00,110.00,90.00,PAID`,
    `${claimId},2,Aetna,80053,1,2026-10-01,2026-10-02,2026-10-15,,60.00,0.00,0.00,DENIED`,
  ].join("\n");
  await signIn(page, ANALYST);
  await mainNav(page).getByRole("link", { name: "Uploads" }).click();
  await page.locator('input[type="file"]').setInputFiles({ name: `${claimId}.csv`, mimeType: "text/csv", buffer: Buffer.from(`${csv}\n`) });
  await expect(page.getByRole("status").getByText(`${claimId}.csv: APPLIED`)).toBeVisible({ timeout: 30_000 });

  await mainNav(page).getByRole("link", { name: "Claims" }).click();
  await page.locator('input[name="submitterClaimId"]').fill(claimId);
  await page.locator('input[name="submitterClaimId"]').press("Enter");
  const table = page.getByRole("region", { name: "Claim lines" }).or(page.getByRole("table", { name: "Claim lines" }));
  await expect(table.getByText(claimId).first()).toBeVisible();
  await expect(table.getByText("DENIED").first()).toBeVisible();
});

test("an analyst acknowledges an alert and gives feedback on it", async ({ page }) => {
  const { ruleName } = await pendingAlertOf(TENANT);
  await signIn(page, ANALYST);
  await page.goto("/alerts");
  await page.getByRole("tab", { name: "All alerts" }).click();
  const row = page.getByRole("row").filter({ hasText: ruleName });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Acknowledge" }).click();
  await expect(row.getByText("ACKNOWLEDGED")).toBeVisible();

  await row.getByRole("button", { name: "Feedback" }).click();
  const dialog = page.getByRole("dialog", { name: "Alert feedback" }).or(page.locator('[aria-label="Alert feedback"]'));
  await dialog.getByLabel("Verdict").selectOption("REAL");
  await dialog.getByLabel("Notes (no patient details)").fill("Confirmed with the payer rep.");
  await dialog.getByRole("button", { name: "Save feedback" }).click();
  await expect(row.getByText("REAL")).toBeVisible();
  await expect(row.getByRole("button", { name: "Edit feedback" })).toBeVisible();
});

test("an analyst triggers a detection run", async ({ page }) => {
  await signIn(page, ANALYST);
  await mainNav(page).getByRole("link", { name: "Runs" }).click();
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("run-status")).toHaveText(/queued|running|succeeded/, { timeout: 30_000 });
});

test("an analyst opening another tenant's drift event sees not found", async ({ page }) => {
  await signIn(page, ANALYST);
  await expectOtherTenantsObjectNotFound(page);
});
