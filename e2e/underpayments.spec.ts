import { expect as baseExpect, test } from "@playwright/test";
import { expectNoSeriousViolations, signIn } from "./support/journeys";

/**
 * Fee schedules and underpayments in a real browser with the demo data: the demo fee schedule is
 * listed, an analyst uploads a new schedule (a rejected file names its rows, a good one supersedes
 * the overlapping rate and keeps it as history), the worklist shows underpaid lines with their
 * expected, allowed, paid and variance, and a bulk change appeals one. A viewer sees the fee
 * schedules but not the worklist (claim ids with dates of service are PHI). No serious axe-core
 * violations.
 */

const TENANT = "northwind-clinic";

test.describe.configure({ mode: "serial", timeout: 180_000 });
test.use({ actionTimeout: 20_000 });
// A busy machine renders and applies slowly; nothing here waits on a clock of its own.
const expect = baseExpect.configure({ timeout: 20_000 });

test("an analyst uploads a fee schedule and works the underpayment worklist", async ({ page }) => {
  await signIn(page, `analyst@${TENANT}.example`);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Fee schedules" }).click();
  await expect(page.getByRole("heading", { name: "Fee schedules" })).toBeVisible();
  const rates = page.getByRole("table", { name: "Fee schedule rates" });
  // The demo schedule (version 1, current).
  await expect(rates.getByRole("row").nth(1)).toContainText("current");
  await expect(rates.getByRole("row").nth(1)).toContainText("contracts-northwind-clinic.csv");
  await expectNoSeriousViolations(page, "fee schedules");

  const upload = page.getByLabel("Upload a fee schedule CSV");
  await upload.setInputFiles({
    name: "broken.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("payerName,cptCode,rate,effectiveFrom\nMedicare,9921,abc,2026-01-01\n"),
  });
  const errors = page.getByRole("list", { name: "Row errors" });
  await expect(errors).toContainText("line 2: cptCode");
  await expect(errors).toContainText("line 2: rate");

  await upload.setInputFiles({
    name: "medicare-2027.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("payerName,cptCode,modifier,rate,effectiveFrom,effectiveTo\nMedicare,99499,,42.00,2020-01-01,\n"),
  });
  await expect(page.getByRole("status")).toContainText("Version 2 applied: 1 rates");
  await expect(rates.getByRole("row").filter({ hasText: "99499" })).toContainText("$42.00");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Underpayments" }).click();
  await expect(page.getByRole("heading", { name: "Underpayments" })).toBeVisible();
  const worklist = page.getByRole("table", { name: "Underpaid claim lines" });
  const first = worklist.getByRole("row").nth(1);
  await expect(first).toContainText("OPEN");
  await expect(page.getByLabel("Underpayment totals")).toContainText("Recovered this month");
  await expectNoSeriousViolations(page, "underpayments");

  const claim = (await first.getByRole("cell").nth(1).innerText()).trim();
  await first.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Mark appealed" }).click();
  await page.getByLabel("Status").selectOption("APPEALED");
  await expect(worklist.getByRole("row").filter({ hasText: claim })).toContainText("APPEALED");
});

test("a viewer sees fee schedules but not the worklist", async ({ page }) => {
  await signIn(page, `viewer@${TENANT}.example`);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Underpayments" })).toHaveCount(0);
  await page.goto("/fee-schedules");
  await expect(page.getByRole("table", { name: "Fee schedule rates" })).toBeVisible();
  await expect(page.getByLabel("Upload a fee schedule CSV")).toHaveCount(0);
  await page.goto("/underpayments");
  await expect(page).toHaveURL(/\/forbidden/);
});
