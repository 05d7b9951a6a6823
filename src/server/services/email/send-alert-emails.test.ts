import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestCustomer } from "@/test/factories";
import { createTestDriftEvent, createTestPayer, createTestRule, evaluateAsDetection } from "@/test/alerts-kit";
import { startSmtpCapture, type TCapturedMail } from "@/test/smtp-capture";
import { sendDueAlertEmails } from "./send-alert-emails";

/** The e-mail channel against a real local SMTP server (smtp-server on 127.0.0.1:0). */

let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mails: TCapturedMail[];
let smtpUrl: string;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  mails = smtp.mails;
  smtpUrl = smtp.url;
});

afterAll(async () => {
  await smtp?.close();
});

describe("alert e-mail", () => {
  it("sends one e-mail per alert to the rule's recipients after commit, and the alert is SENT", async () => {
    const customer = await createTestCustomer();
    const payer = await createTestPayer(customer.id);
    await createTestRule(customer.id, { emailRecipients: ["billing@example.test", "lead@example.test"], name: "Denials watch" });
    const drift = await createTestDriftEvent(customer.id, { payerId: payer.id });
    await evaluateAsDetection(customer.id, [{ id: drift, kind: "opened" }]);
    const alert = await db().alertEvent.findFirstOrThrow({ where: { customerId: customer.id }, select: { id: true, status: true } });
    expect(alert.status).toBe("PENDING");
    expect(await sendDueAlertEmails({ smtpUrl, scheduleMs: [0, 1000], customerIds: [customer.id] })).toBe(1);
    const mail = mails.find((m) => m.data.includes(alert.id))!;
    expect(mail.to.sort()).toEqual(["billing@example.test", "lead@example.test"]);
    expect(mail.data).toContain(payer.name);
    expect(mail.data).toMatch(/Subject: \[Driftline\]/);
    const row = await db().alertEmailDelivery.findFirstOrThrow({ where: { alertEventId: alert.id }, select: { status: true, sentAt: true } });
    expect(row.status).toBe("DELIVERED");
    expect((await db().alertEvent.findUniqueOrThrow({ where: { id: alert.id } })).status).toBe("SENT");
  });

  it("an unreachable SMTP server is retried on the schedule, then DEAD and the alert FAILED", async () => {
    const customer = await createTestCustomer();
    const payer = await createTestPayer(customer.id);
    await createTestRule(customer.id, { emailRecipients: ["billing@example.test"] });
    await evaluateAsDetection(customer.id, [{ id: await createTestDriftEvent(customer.id, { payerId: payer.id }), kind: "opened" }]);
    const options = { smtpUrl: "smtp://127.0.0.1:9", scheduleMs: [0, 0], customerIds: [customer.id] };
    await sendDueAlertEmails(options);
    const afterFirst = await db().alertEmailDelivery.findFirstOrThrow({ where: { customerId: customer.id }, select: { status: true, lastError: true } });
    expect(afterFirst.status).toBe("PENDING");
    expect(afterFirst.lastError).toBeTruthy();
    await sendDueAlertEmails(options);
    expect((await db().alertEmailDelivery.findFirstOrThrow({ where: { customerId: customer.id } })).status).toBe("DEAD");
    expect((await db().alertEvent.findFirstOrThrow({ where: { customerId: customer.id } })).status).toBe("FAILED");
  });
});
