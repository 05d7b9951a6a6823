import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { verifyPassword } from "@/server/lib/passwords";
import { createTestCustomer, createTestUser, uniqueSuffix } from "@/test/factories";
import { startSmtpCapture, type TCapturedMail } from "@/test/smtp-capture";
import { acceptInvitation, createInvitation } from "./manage-invitations";
import { completePasswordReset, requestPasswordReset } from "./reset-passwords";

/**
 * With SMTP_URL and PUBLIC_URL set, invitation and reset links go to the address itself, over a
 * real local SMTP server (smtp-server on 127.0.0.1:0), and never back to whoever asked.
 */

let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
let mails: TCapturedMail[];
let mail: { smtpUrl: string; publicUrl: string };
const ACTOR = { userId: null, apiKeyId: null, label: "test", requestId: null, ip: null };

beforeAll(async () => {
  smtp = await startSmtpCapture();
  mails = smtp.mails;
  mail = { smtpUrl: smtp.url, publicUrl: "https://driftline.example.org" };
});

afterAll(async () => {
  await smtp?.close();
});

/** The link in a received mail (quoted-printable soft breaks undone). */
function linkIn(to: string, kind: "invitation" | "reset-password"): string {
  const found = mails.filter((m) => m.to.includes(to)).map((m) => m.data.replace(/=\r?\n/g, "").replace(/=3D/g, "="));
  const match = new RegExp(`https://driftline\\.example\\.org/${kind}#token=(dl[ir]_[A-Za-z0-9_-]{43})`).exec(found.join("\n"));
  expect(match, `a ${kind} link in the mail to ${to}`).not.toBeNull();
  return match![1]!;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe("identity e-mails", () => {
  it("an invitation is e-mailed to the address (link on PUBLIC_URL) and not returned to the admin; the mailed link works once", async () => {
    const customer = await createTestCustomer();
    const email = `invitee-${uniqueSuffix()}@example.test`;
    const created = await createInvitation(customer.id, ACTOR, { email, role: "ANALYST" }, mail);
    expect(created.delivery).toBe("EMAIL");
    expect(created.link).toBeNull();
    const token = linkIn(email, "invitation");
    const person = { signedIn: null, requestId: null, ip: null };
    const joined = await acceptInvitation(person, { token, password: "invitee-own-password" });
    expect(joined.role).toBe("ANALYST");
    await expect(acceptInvitation(person, { token, password: "invitee-own-password" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("an unreachable SMTP server is reported (EMAIL_FAILED), still without the link", async () => {
    const customer = await createTestCustomer();
    const created = await createInvitation(
      customer.id,
      ACTOR,
      { email: `x-${uniqueSuffix()}@example.test`, role: "VIEWER" },
      { smtpUrl: "smtp://127.0.0.1:9", publicUrl: mail.publicUrl },
    );
    expect(created.delivery).toBe("EMAIL_FAILED");
    expect(created.link).toBeNull();
  });

  it("a reset request mails only a known address, answers the same for both, and the mailed link sets the owner's password", async () => {
    const known = await createTestUser({ password: "forgotten-password-1" });
    const unknown = `nobody-${uniqueSuffix()}@example.test`;
    const one = await requestPasswordReset(known.email, mail);
    const two = await requestPasswordReset(unknown, mail);
    expect(one).toEqual(two);
    await until(() => mails.some((m) => m.to.includes(known.email)));
    const token = linkIn(known.email, "reset-password");
    expect(mails.some((m) => m.to.includes(unknown))).toBe(false);
    await completePasswordReset({ token, password: "remembered-password-2" }, { requestId: null, ip: null });
    const user = await db().user.findUniqueOrThrow({ where: { id: known.id }, select: { passwordHash: true } });
    expect(await verifyPassword(user.passwordHash, "remembered-password-2")).toBe(true);
  });
});
