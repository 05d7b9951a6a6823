import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { principalCache } from "@/server/auth/principal-cache";
import { logger } from "@/server/lib/logger";
import type { TRateLimitKind } from "@/server/lib/rate-limit";
import type { TContext, TRole } from "./context";
import { toAppError, toTRPCError } from "./errors";
import { enforceRateLimit, requireCaller, requireRole, requireTenant } from "./kernel";

/**
 * The API kernel: every procedure of both doors (tRPC for the web app, REST for outside callers)
 * is built from the base procedures below, in this order of checks:
 *   auth -> tenant -> role -> rate limit -> procedure (zod in/out) -> service.
 * Routers import procedures from this file and from nowhere else. The checks themselves are in
 * kernel.ts, shared with the raw route handlers (with-kernel.ts).
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

/**
 * A change's answer is sent only once this process has applied the principal invalidations its
 * commit caused (removed member, revoked key, ended session): the caller's next request, which
 * may well land on this process, must already be refused.
 */
const ownChangesInForce = t.middleware(async ({ type, next }) => {
  const result = await next();
  if (type === "mutation") await principalCache().sync();
  return result;
});

/** No caller needed (health, sign-in helpers). */
export const publicProcedure = t.procedure.use(errorMapping).use(ownChangesInForce);

/** A signed-in user or a valid API key. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => next({ ctx: { ...ctx, caller: requireCaller(ctx) } }));

/** Rate limiting per tenant and caller, with RateLimit-* headers on every answer. */
const rateLimited = t.middleware(async ({ ctx, meta, type, next }) => {
  const kind: TRateLimitKind = meta?.rateLimit ?? (!ctx.caller ? "identityToken" : type === "query" ? "read" : "write");
  await enforceRateLimit(kind, ctx);
  return next();
});

/**
 * No caller needed, limited per client address (meta `rateLimit`, default "identityToken"): the
 * invitation and password-reset pages, which people use before they can sign in.
 */
export const anonymousProcedure = publicProcedure.use(rateLimited);

const inTenant = authedProcedure.use(({ ctx, next }) => next({ ctx: { ...ctx, tenant: requireTenant(ctx) } }));

/**
 * The role check comes before the rate limit: otherwise a caller without the role would spend
 * the tenant-wide budgets (detection runs, bulk, uploads) of those who have it.
 */
function roleProcedure(minimum: TRole) {
  return inTenant
    .use(({ ctx, next }) => {
      requireRole(ctx.tenant, minimum);
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
