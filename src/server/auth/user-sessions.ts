import { env } from "@/env";
import { db } from "@/server/db/client";
import { NO_ACTIVITY, type TRequestActivity } from "./session-activity";

/**
 * Server-side sessions behind the signed cookie. The cookie only names a row; the row decides:
 * revoked, past its absolute lifetime, idle too long (HIPAA automatic logoff), or its user
 * disabled — each refuses the very next request.
 */

export interface TActiveSession {
  sessionId: string;
  userId: string;
  email: string;
  isSuperuser: boolean;
  activeCustomerId: string | null;
  /** As of this lookup: what the principal cache needs to answer the next poll without a write. */
  lastSeenAt: Date;
  expiresAt: Date;
  activityMarker: string | null;
}

export async function createUserSession(userId: string): Promise<string> {
  const expiresAt = new Date(Date.now() + env().SESSION_MAX_HOURS * 3_600_000);
  const session = await db().userSession.create({ data: { userId, expiresAt }, select: { id: true } });
  return session.id;
}

export async function revokeUserSession(sessionId: string): Promise<void> {
  await db().userSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/**
 * The live session for an id; null when it may not be used. The idle clock (last_seen_at) moves
 * only when the request shows a person's activity (session-activity.ts): a new activity marker,
 * or a user-activated navigation. Background polls are answered but leave it where it was, so a
 * page left open is logged off at the idle limit like a closed one.
 */
export async function resolveUserSession(sessionId: string, activity: TRequestActivity = NO_ACTIVITY): Promise<TActiveSession | null> {
  const idleMs = env().SESSION_IDLE_MINUTES * 60_000;
  const now = new Date();
  const marker = activity.marker;
  // One statement: check the session is still valid, move the idle clock if a person acted, and
  // return it. The marker comparison happens on the row, so two tabs polling at once agree.
  const rows = await db().$queryRaw<
    {
      id: string;
      user_id: string;
      email: string;
      is_superuser: boolean;
      active_customer_id: string | null;
      last_seen_at: Date;
      expires_at: Date;
      last_activity_marker: string | null;
    }[]
  >`
    UPDATE user_sessions s SET
      last_seen_at = CASE
        WHEN ${activity.userNavigation} OR (${marker}::text IS NOT NULL AND s.last_activity_marker IS DISTINCT FROM ${marker}::text) THEN ${now}
        ELSE s.last_seen_at END,
      last_activity_marker = COALESCE(${marker}::text, s.last_activity_marker)
    FROM users u
    WHERE s.id = ${sessionId}::uuid AND u.id = s.user_id
      AND s.revoked_at IS NULL AND s.expires_at > ${now}
      AND s.last_seen_at > ${new Date(now.getTime() - idleMs)}
      AND u.disabled_at IS NULL
    RETURNING s.id::text, s.user_id::text, u.email, u.is_superuser, s.active_customer_id::text,
      s.last_seen_at, s.expires_at, s.last_activity_marker`;
  const row = rows[0];
  if (!row) {
    await revokeUserSession(sessionId);
    return null;
  }
  return {
    sessionId: row.id,
    userId: row.user_id,
    email: row.email,
    isSuperuser: row.is_superuser,
    activeCustomerId: row.active_customer_id,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    activityMarker: row.last_activity_marker,
  };
}

export async function setActiveCustomer(sessionId: string, customerId: string | null): Promise<void> {
  await db().userSession.update({ where: { id: sessionId }, data: { activeCustomerId: customerId } });
}
