import { createUserSession, revokeUserSession } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { withTransaction } from "@/server/db/transaction";
import { recordAudit } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { hashPassword, verifyPassword } from "@/server/lib/passwords";
import { countSignInRefused } from "@/server/lib/metrics";
import { consumeRateLimit, hasRateLimitKey, markRateLimitKey, resetRateLimit, type TRateLimitResult } from "@/server/lib/rate-limit";

/**
 * Password sign-in (PRODUCT.md §1), every checked attempt audited — in the user's tenant chain
 * when the account is known, else in the platform chain. A disabled account and a wrong password
 * look the same to the caller.
 *
 * Lock-out (SECURITY.md, "Sign-in lock-out") is built so a guesser cannot keep a user out:
 * - 5 tries per account *and* address (signInPair): a guesser locks only their own address;
 * - 20 tries per address (signInAddress): one address spraying many accounts;
 * - 50 tries per account per hour from anywhere (signInAccount): a distributed attack. Past it,
 *   the account refuses only addresses it has never signed in from (signInKnownAddress, 30 days),
 *   so the user's usual place still gets in.
 * A refused attempt is answered 429 before any password check. It is counted in
 * driftline_sign_in_refused_total; only the first refusal of each window writes an audit row, so
 * nobody can write audit rows at will without credentials (SECURITY.md, "Sign-in audit flood").
 */

let dummyHash: Promise<string> | undefined;

export interface TSignInAttempt {
  email: string;
  password: string;
  ip: string | null;
  requestId?: string | null;
}

async function auditSignIn(
  userId: string | null,
  email: string,
  outcome: "SUCCESS" | "FAILURE",
  ip: string | null,
  requestId: string | null,
  reason?: string,
  extra: { action?: string; details?: Record<string, unknown> } = {},
) {
  const membership = userId ? await db().membership.findFirst({ where: { userId }, orderBy: { createdAt: "asc" }, select: { customerId: true } }) : null;
  await withTransaction((tx) =>
    recordAudit(tx, {
      customerId: membership?.customerId ?? null,
      actor: { userId, label: email },
      action: extra.action ?? (outcome === "SUCCESS" ? "auth.sign_in" : "auth.sign_in_failed"),
      resourceType: "session",
      outcome,
      ip,
      requestId,
      details: { ...(reason ? { reason } : {}), ...extra.details },
    }),
  );
}

/** Returns the new session id, or null for bad credentials; throws 429 when rate limited. */
export async function signInWithPassword(attempt: TSignInAttempt): Promise<{ userId: string; sessionId: string } | null> {
  const email = attempt.email.trim().toLowerCase().slice(0, 254);
  const requestId = attempt.requestId ?? null;
  const address = attempt.ip ?? "unknown";
  const pairKey = `${email}\n${address}`;
  // Consume before checking the password, so parallel guesses are all counted.
  const [pair, perAddress, perAccount, knownAddress] = await Promise.all([
    consumeRateLimit("signInPair", pairKey),
    consumeRateLimit("signInAddress", address),
    consumeRateLimit("signInAccount", email),
    hasRateLimitKey("signInKnownAddress", pairKey),
  ]);
  const limits: { limit: "pair" | "address" | "account"; result: TRateLimitResult; binds: boolean }[] = [
    { limit: "pair", result: pair, binds: true },
    { limit: "address", result: perAddress, binds: true },
    // The account-wide limit does not bind where the account has signed in before.
    { limit: "account", result: perAccount, binds: !knownAddress },
  ];
  const refusing = limits.filter((entry) => !entry.result.allowed && entry.binds);
  // The moment a limit is first exceeded in its window is worth one audit row; the rest are counted.
  const started = limits.filter((entry) => entry.result.consumed === entry.result.limit + 1).map((entry) => entry.limit);
  const user = await db().user.findUnique({ where: { email }, select: { id: true, passwordHash: true, disabledAt: true } });
  if (started.length > 0) {
    await auditSignIn(user?.id ?? null, email, "FAILURE", attempt.ip, requestId, "rate_limited", {
      action: "auth.sign_in_rate_limited",
      details: { limits: started, note: "further refusals in this window are counted in driftline_sign_in_refused_total" },
    });
  }
  if (refusing.length > 0) {
    for (const entry of refusing) countSignInRefused(entry.limit);
    const retryAfterSeconds = Math.max(1, ...refusing.map((entry) => entry.result.resetSeconds));
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
  // A user who mistyped a few times is not one typo from a lock-out here, and this address is now
  // known for the account. The address and account-wide counters stay: resetting them would let
  // one valid sign-in launder guesses against other accounts or from other addresses.
  await resetRateLimit("signInPair", pairKey);
  await markRateLimitKey("signInKnownAddress", pairKey);
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
