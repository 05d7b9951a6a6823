import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { logger } from "@/server/lib/logger";
import { AppError } from "@/server/lib/errors";
import { consumeRateLimit, rateLimitHeaders, type TRateLimitKind } from "@/server/lib/rate-limit";
import type { TContext, TRole } from "./context";
import { toAppError, toTRPCError } from "./errors";

/**
 * The API kernel: every procedure of both doors (tRPC for the web app, REST for outside callers)
 * is built from the base procedures below, in this order of checks:
 *   auth -> tenant -> role -> rate limit -> procedure (zod in/out) -> service.
 * Routers import procedures from this file and from nowhere else.
 */

export type TMeta = OpenApiMeta & {
  /** Rate-limit class; queries default to "read", mutations to "write". */
  rateLimit?: TRateLimitKind;
};

const t = initTRPC
  .context<TContext>()
  .meta<TMeta>()
  .create({
    transformer: superjson,
    // tRPC errors carry the same code, requestId and field errors as REST problem responses.
    errorFormatter({ shape, error, ctx }) {
      const appError = toAppError(error);
      if (appError.code === "INTERNAL") logger.error({ requestId: ctx?.requestId, err: appError.cause ?? error }, "unhandled error");
      // Stack traces only in development (PRODUCT.md §7), never in tests or production.
      return {
        ...shape,
        message: appError.message,
        data: {
          code: appError.code,
          httpStatus: appError.status,
          requestId: ctx?.requestId ?? null,
          errors: appError.details.errors ?? [],
          retryAfterSeconds: appError.details.retryAfterSeconds ?? null,
          stack: process.env.NODE_ENV === "development" ? shape.data.stack : undefined,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps AppError and database errors to tRPC codes so HTTP statuses are right in both doors. */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const appError = toAppError(result.error);
    return { ...result, error: toTRPCError(appError) } as typeof result;
  }
  return result;
});

/** No caller needed (health, sign-in helpers). */
export const publicProcedure = t.procedure.use(errorMapping);

/** A signed-in user or a valid API key. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError ?? "Sign in or send an API key." });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

const ROLE_RANK: Record<TRole, number> = { VIEWER: 1, ANALYST: 2, ADMIN: 3 };

/** Rate limiting per tenant and caller, with RateLimit-* headers on every answer. */
const rateLimited = t.middleware(async ({ ctx, meta, type, next }) => {
  const kind: TRateLimitKind = meta?.rateLimit ?? (!ctx.caller ? "identityToken" : type === "query" ? "read" : "write");
  const scope = kind === "runTrigger" || kind === "bulk" || kind === "upload" ? (ctx.tenant?.customerId ?? "none") : `${ctx.tenant?.customerId ?? "none"}:${ctx.caller?.userId ?? ctx.caller?.apiKeyId ?? ctx.ip ?? "anonymous"}`;
  const result = await consumeRateLimit(kind, scope);
  for (const [name, value] of Object.entries(rateLimitHeaders(result))) ctx.responseHeaders.set(name, value);
  if (!result.allowed) {
    throw new AppError("TOO_MANY_REQUESTS", "Rate limit reached; retry later.", { retryAfterSeconds: Math.max(1, result.resetSeconds) });
  }
  return next();
});

/**
 * No caller needed, limited per client address (meta `rateLimit`, default "identityToken"): the
 * invitation and password-reset pages, which people use before they can sign in.
 */
export const anonymousProcedure = publicProcedure.use(rateLimited);

const inTenant = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.tenant) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any customer." });
  return next({ ctx: { ...ctx, tenant: ctx.tenant } });
});

/**
 * The role check comes before the rate limit: otherwise a caller without the role would spend
 * the tenant-wide budgets (detection runs, bulk, uploads) of those who have it.
 */
function roleProcedure(minimum: TRole) {
  return inTenant
    .use(({ ctx, next }) => {
      if (ROLE_RANK[ctx.tenant.role] < ROLE_RANK[minimum]) {
        throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${minimum} role or higher.` });
      }
      return next();
    })
    .use(rateLimited);
}

/** Read the tenant's dashboards, drift events and alerts. */
export const viewerProcedure = roleProcedure("VIEWER");
/** Read PHI, upload, trigger runs, act on alerts. */
export const analystProcedure = roleProcedure("ANALYST");
/** Manage the tenant: users, keys, rules, endpoints, mappings, settings, audit log. */
export const adminProcedure = roleProcedure("ADMIN");

/** Platform-wide operations (create customers, switch tenant, payer catalogue). */
export const superuserProcedure = authedProcedure
  .use(({ ctx, next }) => {
    if (!ctx.caller.isSuperuser) throw new TRPCError({ code: "FORBIDDEN", message: "This needs a superuser." });
    return next();
  })
  .use(rateLimited);
