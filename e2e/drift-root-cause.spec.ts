import { expect, test } from "@playwright/test";
import { signIn } from "./support/journeys";

/**
 * "Why it changed" in a real browser: an analyst sends a payer's lines whose denials jump from
 * 5 % (all CO-50) over the baseline to 45 % (all CO-197) in the last two weeks, runs detection,
 * and the drift's detail page names CO-197 in words with its shares and the day it began.
 */

const PAYER = "Juniper Ridge Health Plan";
const DAY_MS = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
/** As the page writes a day: "Nov 12". */
const shortDay = (daysAgo: number) => new Date(`${day(daysAgo)}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

function lines() {
  const out = [];
  for (let i = 0; i < 400; i += 1) {
    const current = i < 90;
    // Current lines are decided 2–12 days ago, baseline lines 20–99 days ago (four a day); the
    // baseline's denials (every 19th line) are spread over its days, none on the last two (a
    // denial there would make that day look like the new level).
    const decided = current ? 2 + (i % 11) : 20 + ((i - 90) % 80);
    const denied = current ? i % 20 < 9 : (i - 90) % 19 === 10;
    out.push({
      submitterClaimId: `E2E-ROOT-CAUSE-${i}`,
      lineNumber: 1,
      payerName: PAYER,
      cptCode: "99214",
      units: 1,
      serviceDate: day(decided + 12),
      submittedAt: day(decided + 10),
      decidedAt: day(decided),
      billedAmount: "240.00",
      allowedAmount: denied ? undefined : "130.00",
      paidAmount: denied ? "0.00" : "130.00",
      outcome: denied ? "DENIED" : "PAID",
      denialReason: denied ? (current ? "CO-197" : "CO-50") : undefined,
    });
  }
  return out;
}

test("the drift detail page says which denial reason drove the change and since when", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, "analyst@northwind-clinic.example");
  const ingest = await page.request.post("/api/v1/ingest/claims", { headers: { "idempotency-key": `e2e-root-cause-${Date.now()}` }, data: { lines: lines() } });
  expect(ingest.status(), await ingest.text()).toBe(200);
  const trigger = await page.request.post("/api/v1/reports/trigger", { data: {} });
  expect(trigger.status(), await trigger.text()).toBe(200);

  let eventId = "";
  await expect
    .poll(
      async () => {
        const response = await page.request.get(`/api/v1/drift-events?search=${encodeURIComponent(PAYER)}&driftType=DENIAL_RATE&status=ACTIVE`);
        const body = (await response.json()) as { items: Array<{ id: string }> };
        eventId = body.items[0]?.id ?? "";
        return eventId;
      },
      { timeout: 200_000, intervals: [2000] },
    )
    .not.toBe("");

  await page.goto(`/drift-events/${eventId}`);
  await expect(page.getByRole("heading", { name: "Why it changed" })).toBeVisible();
  const sentence = page.getByTestId("root-cause");
  await expect(sentence).toContainText(
    /^Most of the rise is CO-197 \(precertification or authorization was missing\), from 0 % to \d+(\.\d)? % of lines, starting around [A-Z][a-z]{2} \d{1,2}/,
  );
  // The first CO-197 denials were decided 12 days ago; the gap before them reaches back to 19.
  const named = /starting around ([A-Z][a-z]{2} \d{1,2})/.exec((await sentence.textContent()) ?? "")?.[1];
  expect(Array.from({ length: 8 }, (_, k) => shortDay(12 + k))).toContain(named);
  await expect(page.getByRole("list", { name: "Denial reasons, share of lines" })).toContainText("CO-197");
});
