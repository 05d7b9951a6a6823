import { AppError } from "@/server/lib/errors";
import { consumeRateLimit, rateLimitHeaders, type TRateLimitKind } from "@/server/lib/rate-limit";
import type { TCaller, TContext, TRole, TTenant } from "./context";

/**
 * The checks every door runs, in this order: auth -> tenant -> role -> rate limit. The tRPC
 * middleware chain (trpc.ts) and the raw route handlers that trpc-to-openapi cannot express
 * (`withKernel` in with-kernel.ts: the upload and the export download) call these same functions, so the rules
 * live in one place.
 */

/** The one role ranking: a role includes every role below it. */
const ROLE_RANK: Readonly<Record<TRole, number>> = { VIEWER: 1, ANALYST: 2, ADMIN: 3 };

export function hasRole(role: TRole, minimum: TRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export function requireCaller(ctx: Pick<TContext, "caller" | "authError">): TCaller {
  if (!ctx.caller) throw new AppError("UNAUTHORIZED", ctx.authError ?? "Sign in or send an API key.");
  return ctx.caller;
}

export function requireTenant(ctx: Pick<TContext, "tenant">): TTenant {
  if (!ctx.tenant) throw new AppError("FORBIDDEN", "You are not a member of any customer.");
  return ctx.tenant;
}

export function requireRole(tenant: TTenant, minimum: TRole): void {
  if (!hasRole(tenant.role, minimum)) throw new AppError("FORBIDDEN", `This needs the ${minimum} role or higher.`);
}

/**
 * Whose budget a request spends: the tenant for the tenant-wide classes (runs, bulk, uploads),
 * else the tenant and the caller (user, key, or client address when nobody is signed in).
 */
export function rateLimitScope(kind: TRateLimitKind, ctx: Pick<TContext, "caller" | "tenant" | "ip">): string {
  const tenant = ctx.tenant?.customerId ?? "none";
  if (kind === "runTrigger" || kind === "bulk" || kind === "upload") return tenant;
  return `${tenant}:${ctx.caller?.userId ?? ctx.caller?.apiKeyId ?? ctx.ip ?? "anonymous"}`;
}

/** Spends one unit of `kind`, puts the RateLimit-* headers on the answer, refuses past the limit. */
export async function enforceRateLimit(kind: TRateLimitKind, ctx: Pick<TContext, "caller" | "tenant" | "ip" | "responseHeaders">): Promise<void> {
  const result = await consumeRateLimit(kind, rateLimitScope(kind, ctx));
  for (const [name, value] of Object.entries(rateLimitHeaders(result))) ctx.responseHeaders.set(name, value);
  if (!result.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", "Rate limit reached; retry later.", { retryAfterSeconds: Math.max(1, result.resetSeconds) });
  }
}
