import { z } from "zod";
import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { auditAction, type TActor } from "@/server/lib/actor";
import { recordAudit } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { generateOneTimeToken, hashOneTimeToken, tokenPath } from "@/server/lib/one-time-token";
import { hashPassword } from "@/server/lib/passwords";
import { logger } from "@/server/lib/logger";
import { linkDelivery, sendTokenEmail, type TIdentityMailConfig } from "@/server/services/email/send-identity-email";
import { ZPassword } from "./create-user";

/**
 * Password reset by single-use token (SECURITY.md, finding 1): only the account's owner sets
 * its password. A reset link goes to the account's own address when e-mail is configured;
 * otherwise a superuser or the CLI issues it and it is shown once to them. Using it revokes
 * every session of the account, so whoever knew the old password is out at once.
 */

export const RESET_MINUTES = 60;

export const ZResetToken = z.string().regex(/^dlr_[A-Za-z0-9_-]{43}$/, "not a password-reset token");
export const ZEmail = z
  .email()
  .max(254)
  .transform((email) => email.toLowerCase());

async function issueToken(userId: string): Promise<string> {
  const { token, hash } = generateOneTimeToken("passwordReset");
  await db().passwordResetToken.create({ data: { userId, tokenHash: hash, expiresAt: new Date(Date.now() + RESET_MINUTES * 60_000) } });
  return token;
}

const NEUTRAL_EMAIL = "If this address has a Driftline account, a link to reset its password is on its way.";
const NEUTRAL_NO_EMAIL = "E-mail is not configured here: ask your Driftline administrator for a reset link.";

/**
 * Anyone may ask; the answer is the same for every address (it depends only on whether e-mail
 * is configured), and the e-mail is sent in the background so the time taken says nothing either.
 */
export async function requestPasswordReset(email: string, mail?: TIdentityMailConfig): Promise<{ message: string }> {
  if (linkDelivery(mail) === "LINK") return { message: NEUTRAL_NO_EMAIL };
  const user = await db().user.findUnique({ where: { email }, select: { id: true, disabledAt: true } });
  if (user && !user.disabledAt) {
    const token = await issueToken(user.id);
    void sendTokenEmail("passwordReset", email, token, {}, mail).catch((error: unknown) => logger.warn({ err: error }, "password reset e-mail failed"));
  }
  return { message: NEUTRAL_EMAIL };
}

/** A superuser (or the CLI, with a null actor) issues a reset for an account: e-mailed, or shown once. */
export async function issuePasswordReset(actor: TActor | null, email: string, mail?: TIdentityMailConfig) {
  const user = await db().user.findUnique({ where: { email }, select: { id: true, disabledAt: true } });
  if (!user) throw new AppError("NOT_FOUND", "No account has this address.");
  if (user.disabledAt) throw new AppError("CONFLICT", "This account is disabled; enable it first.");
  const token = await issueToken(user.id);
  const delivery = linkDelivery(mail);
  await withTransaction((tx) =>
    actor
      ? auditAction(tx, actor, null, "account.password_reset_issued", { type: "user", id: user.id }, { delivery })
      : recordAudit(tx, {
          customerId: null,
          actor: { userId: null, label: "cli" },
          action: "account.password_reset_issued",
          resourceType: "user",
          resourceId: user.id,
          details: { delivery },
        }),
  );
  if (delivery === "EMAIL") {
    const sent = await sendTokenEmail("passwordReset", email, token, {}, mail);
    return { delivery: sent ? ("EMAIL" as const) : ("EMAIL_FAILED" as const), link: null };
  }
  return { delivery: "LINK" as const, link: tokenPath("passwordReset", token) };
}

const NOT_VALID = "This reset link is not valid: it was used or has expired. Ask for a new one.";

export async function completePasswordReset(input: { token: string; password: string }, meta: { requestId: string | null; ip: string | null }) {
  const password = ZPassword.parse(input.password);
  const found = await db().passwordResetToken.findUnique({
    where: { tokenHash: hashOneTimeToken(input.token) },
    select: { id: true, userId: true, usedAt: true, expiresAt: true },
  });
  if (!found || found.usedAt || found.expiresAt <= new Date()) throw new AppError("NOT_FOUND", NOT_VALID);
  const passwordHash = await hashPassword(password);
  await withTransaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ open: boolean }[]>`
      SELECT (used_at IS NULL AND expires_at > now()) AS open FROM password_reset_tokens WHERE id = ${found.id}::uuid FOR UPDATE`;
    if (!locked?.open) throw new AppError("NOT_FOUND", NOT_VALID);
    const user = await tx.user.update({ where: { id: found.userId }, data: { passwordHash }, select: { email: true } });
    // Every open reset of the account ends with this one, and so does every session.
    await tx.passwordResetToken.updateMany({ where: { userId: found.userId, usedAt: null }, data: { usedAt: new Date() } });
    await tx.userSession.updateMany({ where: { userId: found.userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await recordAudit(tx, {
      customerId: null,
      actor: { userId: found.userId, label: user.email },
      action: "auth.password_reset",
      resourceType: "user",
      resourceId: found.userId,
      requestId: meta.requestId,
      ip: meta.ip,
    });
  });
  return { reset: true };
}
