import { createUserSession, revokeUserSession } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { recordAudit } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { hashPassword, verifyPassword } from "@/server/lib/passwords";
import { consumeRateLimit, resetRateLimit } from "@/server/lib/rate-limit";

/**
 * Password sign-in (PRODUCT.md §1): rate limited per account and per address, every success
 * and failure audited — in the user's tenant chain when the account is known, else in the
 * platform chain. A disabled account and a wrong password look the same to the caller.
 */

let dummyHash: Promise<string> | undefined;

export interface TSignInAttempt {
  email: string;
  password: string;
  ip: string | null;
  requestId?: string | null;
}

async function auditSignIn(userId: string | null, email: string, outcome: "SUCCESS" | "FAILURE", ip: string | null, requestId: string | null, reason?: string) {
  const membership = userId ? await db().membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" }, select: { customerId: true } }) : null;
  await withTransaction((tx) =>
    recordAudit(tx, {
      customerId: membership?.customerId ?? null,
      actor: { userId, label: email },
      action: outcome === "SUCCESS" ? "auth.sign_in" : "auth.sign_in_failed",
      resourceType: "session",
      outcome,
      ip,
      requestId,
      details: reason ? { reason } : {},
    }),
  );
}

/** Returns the new session id, or null for bad credentials; throws 429 when rate limited. */
export async function signInWithPassword(attempt: TSignInAttempt): Promise<{ userId: string; sessionId: string } | null> {
  const email = attempt.email.trim().toLowerCase().slice(0, 254);
  const requestId = attempt.requestId ?? null;
  const [perAccount, perAddress] = await Promise.all([
    consumeRateLimit("signInAccount", email),
    consumeRateLimit("signInAddress", attempt.ip ?? "unknown"),
  ]);
  const user = await db().user.findUnique({ where: { email }, select: { id: true, passwordHash: true, disabledAt: true } });
  if (!perAccount.allowed || !perAddress.allowed) {
    await auditSignIn(user?.id ?? null, email, "FAILURE", attempt.ip, requestId, "rate_limited");
    const retryAfterSeconds = Math.max(perAccount.allowed ? 0 : perAccount.resetSeconds, perAddress.allowed ? 0 : perAddress.resetSeconds);
    throw new AppError("TOO_MANY_REQUESTS", "Too many sign-in attempts; try again later.", { retryAfterSeconds });
  }
  // Verify against a dummy hash for unknown accounts so timing does not reveal which exist.
  dummyHash ??= hashPassword("driftline-no-such-account-password");
  const valid = await verifyPassword(user?.passwordHash ?? (await dummyHash), attempt.password);
  if (!user || !valid || user.disabledAt) {
    await auditSignIn(user?.id ?? null, email, "FAILURE", attempt.ip, requestId, !user ? "unknown_account" : user.disabledAt ? "disabled" : "bad_password");
    return null;
  }
  const sessionId = await createUserSession(user.id);
  // A user who mistyped a few times is not one typo from a lock-out; the address limit stays.
  await resetRateLimit("signInAccount", email);
  await db().user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  await auditSignIn(user.id, email, "SUCCESS", attempt.ip, requestId);
  return { userId: user.id, sessionId };
}

export async function signOut(sessionId: string): Promise<void> {
  const session = await db().userSession.findUnique({ where: { id: sessionId }, select: { user: { select: { id: true, email: true } } } });
  await revokeUserSession(sessionId);
  if (!session) return;
  const membership = await db().membership.findFirst({ where: { userId: session.user.id }, orderBy: { createdAt: "asc" }, select: { customerId: true } });
  await withTransaction((tx) =>
    recordAudit(tx, {
      customerId: membership?.customerId ?? null,
      actor: { userId: session.user.id, label: session.user.email },
      action: "auth.sign_out",
      resourceType: "session",
      resourceId: sessionId,
    }),
  );
}
