import { decode } from "next-auth/jwt";
import { env } from "@/env";
import type { MemberRole } from "@/generated/prisma/client";
import { requestActivity, type TRequestActivity } from "@/server/auth/session-activity";
import { principalCache } from "@/server/auth/principal-cache";
import { resolveUserSession, type TActiveSession } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { hashApiKey, looksLikeApiKey } from "@/server/lib/api-key-token";

/**
 * Who is calling and for which tenant, resolved once per request from either the web session
 * cookie or an `Authorization: Bearer <api key>` header. Nothing here throws for a bad
 * credential: `authError` says why, and the authed procedures turn it into a 401.
 */

export type TRole = MemberRole;

export interface TCaller {
  kind: "user" | "apiKey";
  userId: string | null;
  apiKeyId: string | null;
  /** Unique identity for audit rows: the user's email or the key's prefix. */
  label: string;
  isSuperuser: boolean;
  sessionId: string | null;
}

export interface TTenant {
  customerId: string;
  role: TRole;
  /** True when a superuser acts in a tenant through the audited switch. */
  viaSwitch: boolean;
}

export interface TContext {
  requestId: string;
  ip: string | null;
  caller: TCaller | null;
  tenant: TTenant | null;
  authError: string | null;
  /** Headers the transport adds to the response (rate limits). */
  responseHeaders: Headers;
  /** The incoming request's headers (e.g. Idempotency-Key); services never see them. */
  headers: Headers;
}

export const SESSION_COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function cookieValue(header: string | null, names: string[]): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (names.includes(name)) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return null;
}

type TApiKeyRecord = { id: string; prefix: string; role: TRole; customerId: string; revokedAt: Date | null; expiresAt: Date | null; lastUsedAt: Date | null };

const LAST_USED_EVERY_MS = 60_000;

async function apiKeyRecord(keyHash: string): Promise<TApiKeyRecord | null> {
  const cache = principalCache();
  const cacheKey = `apiKey:${keyHash}`;
  const cached = cache.get<TApiKeyRecord>(cacheKey);
  if (cached) return cached;
  const since = cache.epoch;
  const record = await db().apiKey.findUnique({
    where: { keyHash },
    select: { id: true, prefix: true, role: true, customerId: true, revokedAt: true, expiresAt: true, lastUsedAt: true },
  });
  // Unknown keys are not cached: a key created a moment later must work at once.
  if (record) cache.set(cacheKey, record, [`key:${record.id}`], since);
  return record;
}

async function callerFromApiKey(key: string): Promise<{ caller: TCaller; tenant: TTenant } | { error: string }> {
  if (!looksLikeApiKey(key)) return { error: "Malformed API key." };
  const record = await apiKeyRecord(hashApiKey(key));
  if (!record) return { error: "Unknown API key." };
  if (record.revokedAt) return { error: "This API key has been revoked." };
  if (record.expiresAt && record.expiresAt <= new Date()) return { error: "This API key has expired." };
  // lastUsedAt to the minute: enough for operators, and no write on every request. The condition
  // is in the statement too, so N instances together still write it at most once a minute.
  const now = new Date();
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
    record.lastUsedAt = now;
    await db().apiKey.updateMany({
      where: { id: record.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_EVERY_MS) } }] },
      data: { lastUsedAt: now },
    });
  }
  return {
    caller: { kind: "apiKey", userId: null, apiKeyId: record.id, label: record.prefix, isSuperuser: false, sessionId: null },
    tenant: { customerId: record.customerId, role: record.role, viaSwitch: false },
  };
}

type TCachedSession = { session: TActiveSession; memberships: { customerId: string; role: TRole }[] };

/**
 * The session and the user's memberships, from the principal cache when this request shows no
 * person's activity (a background poll) and the cached row is still within its idle and absolute
 * limits; otherwise from the database, whose one UPDATE moves the idle clock and re-checks
 * revocation, disabling and expiry (user-sessions.ts).
 */
async function sessionAndMemberships(sessionId: string, activity: TRequestActivity): Promise<TCachedSession | null> {
  const cache = principalCache();
  const cacheKey = `session:${sessionId}`;
  const cached = cache.get<TCachedSession>(cacheKey);
  const now = Date.now();
  const personActed = activity.userNavigation || (activity.marker !== null && activity.marker !== cached?.session.activityMarker);
  if (cached && !personActed && cached.session.expiresAt.getTime() > now && cached.session.lastSeenAt.getTime() > now - env().SESSION_IDLE_MINUTES * 60_000) {
    return cached;
  }
  const since = cache.epoch;
  const session = await resolveUserSession(sessionId, activity);
  if (!session) {
    cache.drop(cacheKey);
    return null;
  }
  const memberships = await db().membership.findMany({
    where: { userId: session.userId },
    select: { customerId: true, role: true },
    orderBy: { createdAt: "asc" },
  });
  const value = { session, memberships };
  cache.set(cacheKey, value, [`session:${sessionId}`, `user:${session.userId}`], since);
  return value;
}

async function callerFromSession(cookie: string, activity: TRequestActivity): Promise<{ caller: TCaller; tenant: TTenant | null } | { error: string }> {
  const token = await decode({ token: cookie, secret: env().AUTH_SECRET }).catch(() => null);
  const sessionId = typeof token?.sid === "string" ? token.sid : null;
  if (!sessionId) return { error: "Invalid session." };
  const found = await sessionAndMemberships(sessionId, activity);
  if (!found) return { error: "Your session has ended; sign in again." };
  const { session, memberships } = found;
  const caller: TCaller = {
    kind: "user",
    userId: session.userId,
    apiKeyId: null,
    label: session.email,
    isSuperuser: session.isSuperuser,
    sessionId,
  };
  const active = session.activeCustomerId;
  const chosen = memberships.find((m) => m.customerId === active) ?? (active ? undefined : memberships[0]);
  if (chosen) return { caller, tenant: { customerId: chosen.customerId, role: chosen.role, viaSwitch: false } };
  // A superuser in a tenant they are not a member of acts as its ADMIN through the switch.
  if (active && session.isSuperuser) return { caller, tenant: { customerId: active, role: "ADMIN", viaSwitch: true } };
  return { caller, tenant: memberships[0] ? { ...memberships[0], viaSwitch: false } : null };
}

export async function createContext(options: { headers: Headers; requestId: string; responseHeaders?: Headers }): Promise<TContext> {
  const { headers, requestId } = options;
  const base = {
    requestId,
    ip: headers.get("x-driftline-client-ip"),
    responseHeaders: options.responseHeaders ?? new Headers(),
    headers,
  };
  const authorization = headers.get("authorization");
  let resolved: { caller: TCaller; tenant: TTenant | null } | { error: string } | null = null;
  if (authorization) {
    const [scheme, value] = authorization.split(" ");
    resolved = scheme?.toLowerCase() === "bearer" && value ? await callerFromApiKey(value.trim()) : { error: "Use Authorization: Bearer <api key>." };
  } else {
    const cookie = cookieValue(headers.get("cookie"), SESSION_COOKIE_NAMES);
    if (cookie) resolved = await callerFromSession(cookie, requestActivity(headers));
  }
  if (!resolved || "error" in resolved) {
    return { ...base, caller: null, tenant: null, authError: resolved?.error ?? null };
  }
  return { ...base, caller: resolved.caller, tenant: resolved.tenant, authError: null };
}
