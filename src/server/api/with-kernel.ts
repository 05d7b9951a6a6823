import { logger } from "@/server/lib/logger";
import type { TRateLimitKind } from "@/server/lib/rate-limit";
import { requestIdFrom } from "@/server/lib/request-id";
import { createContext, type TCaller, type TContext, type TRole, type TTenant } from "./context";
import { toAppError } from "./errors";
import { problem } from "./http";
import { enforceRateLimit, requireCaller, requireRole, requireTenant } from "./kernel";
import { crossSiteRefusal } from "./same-origin";

export type TKernelContext = TContext & { caller: TCaller; tenant: TTenant };

/**
 * A raw route handler behind the same kernel as the procedures: same-origin check for signed-in
 * changes, context, caller, tenant, role, rate limit, then `handler`; any error becomes one
 * problem+json answer carrying the rate-limit headers and x-request-id.
 */
export function withKernel<TArgs extends unknown[]>(
  options: { role: TRole; rateLimit: TRateLimitKind; name: string },
  handler: (ctx: TKernelContext, req: Request, ...args: TArgs) => Promise<Response>,
): (req: Request, ...args: TArgs) => Promise<Response> {
  return async (req, ...args) => {
    const requestId = requestIdFrom(req.headers);
    const headers = new Headers({ "x-request-id": requestId });
    // Before the session is even looked at: a cross-site change must not touch anything.
    const refusal = crossSiteRefusal(req.method, req.headers);
    if (refusal) return problem(403, "FORBIDDEN", refusal, requestId, [], headers);
    try {
      const ctx = await createContext({ headers: req.headers, requestId, responseHeaders: headers });
      const caller = requireCaller(ctx);
      const tenant = requireTenant(ctx);
      requireRole(tenant, options.role);
      await enforceRateLimit(options.rateLimit, ctx);
      return await handler({ ...ctx, caller, tenant }, req, ...args);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === "INTERNAL") logger.error({ requestId, err: appError.cause ?? error }, `${options.name} failed`);
      if (appError.details.retryAfterSeconds) headers.set("retry-after", String(appError.details.retryAfterSeconds));
      return problem(appError.status, appError.code, appError.message, requestId, appError.details.errors ?? [], headers);
    }
  };
}
