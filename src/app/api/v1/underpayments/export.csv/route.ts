import { actorOf } from "@/server/api/actor-of-caller";
import { createContext } from "@/server/api/context";
import { toAppError } from "@/server/api/errors";
import { problem } from "@/server/api/http";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { consumeRateLimit, rateLimitHeaders } from "@/server/lib/rate-limit";
import { requestIdFrom } from "@/server/lib/request-id";
import { exportUnderpaymentsCsv } from "@/server/services/underpayments/export-underpayments";

/**
 * GET /api/v1/underpayments/export.csv: the worklist as a CSV file (the list's filters as query
 * parameters). A file, so a route handler that does what the REST door does: same context,
 * ANALYST role, read rate limit, problem+json errors. Audited by the service.
 */

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROLE_RANK = { VIEWER: 1, ANALYST: 2, ADMIN: 3 } as const;

export async function GET(req: Request): Promise<Response> {
  const requestId = requestIdFrom(req.headers);
  const headers = new Headers({ "x-request-id": requestId });
  try {
    const ctx = await createContext({ headers: req.headers, requestId, responseHeaders: headers });
    if (!ctx.caller) throw new AppError("UNAUTHORIZED", ctx.authError ?? "Sign in or send an API key.");
    if (!ctx.tenant) throw new AppError("FORBIDDEN", "You are not a member of any customer.");
    if (ROLE_RANK[ctx.tenant.role] < ROLE_RANK.ANALYST) throw new AppError("FORBIDDEN", "This needs the ANALYST role or higher.");
    const rate = await consumeRateLimit("read", `${ctx.tenant.customerId}:${ctx.caller.userId ?? ctx.caller.apiKeyId ?? "anonymous"}`);
    for (const [name, value] of Object.entries(rateLimitHeaders(rate))) headers.set(name, value);
    if (!rate.allowed) throw new AppError("TOO_MANY_REQUESTS", "Rate limit reached; retry later.", { retryAfterSeconds: Math.max(1, rate.resetSeconds) });
    const { csv, rowCount } = await exportUnderpaymentsCsv(ctx.tenant.customerId, actorOf({ ...ctx, caller: ctx.caller }), new URL(req.url).searchParams);
    headers.set("content-type", "text/csv; charset=utf-8");
    headers.set("content-disposition", 'attachment; filename="underpayments.csv"');
    headers.set("cache-control", "private, no-store");
    headers.set("x-row-count", String(rowCount));
    return new Response(csv, { status: 200, headers });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "INTERNAL") logger.error({ requestId, err: appError.cause ?? error }, "underpayment export failed");
    if (appError.details.retryAfterSeconds) headers.set("retry-after", String(appError.details.retryAfterSeconds));
    return problem(appError.status, appError.code, appError.message, requestId, appError.details.errors ?? [], headers);
  }
}
