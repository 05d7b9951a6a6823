import { decode } from "next-auth/jwt";
import { env } from "@/env";
import type { MemberRole } from "@/generated/prisma/client";
import { requestActivity, type TRequestActivity } from "@/server/auth/session-activity";
import { resolveUserSession } from "@/server/auth/user-sessions";
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

async function callerFromApiKey(key: string): Promise<{ caller: TCaller; tenant: TTenant } | { error: string }> {
  if (!looksLikeApiKey(key)) return { error: "Malformed API key." };
  const record = await db().apiKey.findUnique({
    where: { keyHash: hashApiKey(key) },
    select: { id: true, prefix: true, role: true, customerId: true, revokedAt: true, expiresAt: true, lastUsedAt: true },
  });
  if (!record) return { error: "Unknown API key." };
  if (record.revokedAt) return { error: "This API key has been revoked." };
  if (record.expiresAt && record.expiresAt <= new Date()) return { error: "This API key has expired." };
  // lastUsedAt to the minute: enough for operators, and no write on every request.
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > 60_000) {
    await db().apiKey.update({ where: { id: record.id }, data: { lastUsedAt: new Date() } });
  }
  return {
    caller: { kind: "apiKey", userId: null, apiKeyId: record.id, label: record.prefix, isSuperuser: false, sessionId: null },
    tenant: { customerId: record.customerId, role: record.role, viaSwitch: false },
  };
}

async function callerFromSession(cookie: string, activity: TRequestActivity): Promise<{ caller: TCaller; tenant: TTenant | null } | { error: string }> {
  const token = await decode({ token: cookie, secret: env().AUTH_SECRET }).catch(() => null);
  const sessionId = typeof token?.sid === "string" ? token.sid : null;
  if (!sessionId) return { error: "Invalid session." };
  const session = await resolveUserSession(sessionId, activity);
  if (!session) return { error: "Your session has ended; sign in again." };
  const caller: TCaller = {
    kind: "user",
    userId: session.userId,
    apiKeyId: null,
    label: session.email,
    isSuperuser: session.isSuperuser,
    sessionId,
  };
  const memberships = await db().membership.findMany({
    where: { userId: session.userId },
    select: { customerId: true, role: true },
    orderBy: { createdAt: "asc" },
  });
  const active = session.activeCustomerId;
  const chosen = memberships.find((m) => m.customerId === active) ?? (active ? undefined : memberships[0]);
  if (chosen) return { caller, tenant: { customerId: chosen.customerId, role: chosen.role, viaSwitch: false } };
  // A superuser in a tenant they are not a member of acts as its ADMIN through the switch.
  if (active && session.isSuperuser) return { caller, tenant: { customerId: active, role: "ADMIN", viaSwitch: true } };
  return { caller, tenant: memberships[0] ? { ...memberships[0], viaSwitch: false } : null };
}

export async function createContext(options: {
  headers: Headers;
  requestId: string;
  responseHeaders?: Headers;
}): Promise<TContext> {
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
