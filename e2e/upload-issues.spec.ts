import { expect as baseExpect, test, type Page } from "@playwright/test";
import { expectNoSeriousViolations, mainNav, signIn } from "./support/journeys";

/**
 * A billing clerk uploads an imperfect 835 from a payer through the upload page, in a real
 * browser: the file is applied, and the page says how many lines were applied, how many items
 * were skipped and how many warnings there are, then lists them in plain words (segment number,
 * what was skipped, why), ten to a page. The same shows again when the upload is opened later.
 * axe-core finds no serious or critical accessibility violation on the page with the lists open.
 */

// Page loads wait on the database; the machine running the journeys may be shared and slow.
const expect = baseExpect.configure({ timeout: 20_000 });

const TENANT = "lakeside-health";
const ANALYST = `analyst@${TENANT}.example`;

test.describe.configure({ mode: "serial" });
test.use({ actionTimeout: 30_000 });
test.setTimeout(180_000);

/**
 * Hand-written: one good claim line, one adjustment with a group code that does not exist
 * (skipped), a segment an 835 does not use (warning), two PLB segments with one usable pair each
 * and five placeholder pairs each (ten skipped), and an SE01 that miscounts (warning).
 */
function imperfect835(claimId: string): string {
  const body = [
    "ST*835*0001",
    "BPR*I*150*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261103",
    `TRN*1*${claimId}*1512345678`,
    "DTM*405*20261101",
    "N1*PR*E2E IMPERFECT HEALTH PLAN",
    "N1*PE*LAKESIDE HEALTH*XX*1234567893",
    "LX*1",
    `CLP*${claimId}*1*200*150**12*ICN-${claimId}`,
    "DTM*050*20261010",
    "SVC*HC:99213*200*150**1",
    "DTM*472*20261005",
    "CAS*CO*45*50",
    "CAS*XX*45*0",
    "ZZZ*UNKNOWN",
    "PLB*1234567893*20261231*WO:REF1*25*bad1*1*bad2*2*bad3*3*bad4*4*bad5*5",
    "PLB*1234567893*20261231*L6*-3.5*bad6*6*bad7*7*bad8*8*bad9*9*badA*10",
    "SE*99*0001",
  ];
  const isa = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *261101*1000*^*00501*000000777*0*P*:";
  return `${[isa, "GS*HP*PAYERSENDER*CLINICRECV*20261101*1000*777*X*005010X221A1", ...body, "GE*1*777", "IEA*1*000000777"].join("~\n")}~\n`;
}

/** The outcome sentence and both lists, as the clerk sees them. */
async function expectIssuesShown(page: Page) {
  await expect(page.getByTestId("upload-outcome")).toContainText("1 line applied, 11 items skipped, 2 warnings");

  const skipped = page.getByRole("table", { name: "Skipped items" });
  await expect(page.getByRole("heading", { name: "Skipped items (11)" })).toBeVisible();
  await expect(skipped.getByRole("row")).toHaveCount(11); // header + a page of ten
  const cas = skipped.getByRole("row").filter({ hasText: "Adjustment: adjustment group" });
  await expect(cas).toContainText("15");
  await expect(cas).toContainText("CAS01");
  await expect(cas).toContainText("Adjustment group must be CO, PR, OA, PI or CR");
  const plb = skipped.getByRole("row").filter({ hasText: "PLB05" }).first();
  await expect(plb).toContainText("Provider-level adjustment: adjustment reason");
  await expect(plb).toContainText("17");
  await expect(plb).toContainText("not a two-character X12 code");

  const pages = page.getByRole("navigation", { name: "Skipped items pages" });
  await expect(pages).toContainText("Page 1 of 2");
  await pages.getByRole("button", { name: "Next page" }).click();
  await expect(pages).toContainText("Page 2 of 2");
  await expect(skipped.getByRole("row")).toHaveCount(2);
  await expect(skipped.getByRole("row").nth(1)).toContainText("18");
  await expect(skipped.getByRole("row").nth(1)).toContainText("PLB13");
  await expect(pages.getByRole("button", { name: "Next page" })).toBeDisabled();
  await pages.getByRole("button", { name: "Previous page" }).click();
  await expect(pages).toContainText("Page 1 of 2");

  const warnings = page.getByRole("table", { name: "Warnings" });
  await expect(page.getByRole("heading", { name: "Warnings (2)" })).toBeVisible();
  await expect(warnings.getByRole("row")).toHaveCount(3);
  const count = warnings.getByRole("row").filter({ hasText: "SE01" });
  await expect(count).toContainText("Remittance end: segment count");
  await expect(count).toContainText("SE01 declares 99 segments, counted 17");
  await expect(warnings.getByRole("row").filter({ hasText: "A segment" })).toContainText("does not use was ignored");
}

test("a clerk uploads an imperfect 835 and reads what was skipped and why, now and later", async ({ page }) => {
  const claimId = `E2E-IMP-${Date.now()}`;
  const filename = `${claimId}.835`;
  await signIn(page, ANALYST);
  await mainNav(page).getByRole("link", { name: "Uploads" }).click();
  await page.locator('input[type="file"]').setInputFiles({ name: filename, mimeType: "text/plain", buffer: Buffer.from(imperfect835(claimId)) });
  await expect(page.getByRole("status").getByText(`${filename}: APPLIED`)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("status").filter({ hasText: filename })).toContainText("1 line applied, 11 items skipped, 2 warnings");
  await expectIssuesShown(page);
  await expectNoSeriousViolations(page, "upload issues");

  // Later: from another page back to Uploads, the upload opened from the history.
  await mainNav(page).getByRole("link", { name: "Claims" }).click();
  await expect(page).toHaveURL(/\/claims/);
  await mainNav(page).getByRole("link", { name: "Uploads" }).click();
  const history = page.getByRole("table", { name: "Upload history" });
  const row = history.getByRole("row").filter({ hasText: filename });
  await expect(row).toContainText("APPLIED");
  await row.getByRole("link", { name: filename }).click();
  await expect(page).toHaveURL(/\/uploads\?upload=/);
  await expectIssuesShown(page);

  // And on a fresh load of that address.
  await page.reload();
  await expectIssuesShown(page);
  await expectNoSeriousViolations(page, "upload issues");
});
