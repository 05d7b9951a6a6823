import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { createContext } from "@/server/api/context";
import { toAppError } from "@/server/api/errors";
import { problem } from "@/server/api/http";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { consumeRateLimit, rateLimitHeaders } from "@/server/lib/rate-limit";
import { requestIdFrom } from "@/server/lib/request-id";
import { openExportDownload } from "@/server/services/exports/exports";

/**
 * GET /api/v1/exports/{id}/download: trpc-to-openapi cannot answer a file, so this does what the
 * REST door does for procedures — same context, ANALYST role, read rate limit, problem+json
 * errors, x-request-id — and streams the CSV. PHI exports are audited by the service.
 */

const ROLE_RANK = { VIEWER: 1, ANALYST: 2, ADMIN: 3 } as const;

export async function handleExportDownload(req: Request, id: string): Promise<Response> {
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
    if (!z.uuid().safeParse(id).success) throw new AppError("BAD_REQUEST", "id: must be a UUID", { errors: [{ path: "id", message: "Invalid UUID" }] });

    const download = await openExportDownload(ctx.tenant.customerId, actorOf({ ...ctx, caller: ctx.caller }), id);
    headers.set("content-type", "text/csv; charset=utf-8");
    headers.set("content-disposition", `attachment; filename="${download.filename}"`);
    headers.set("cache-control", "private, no-store");
    headers.set("x-row-count", String(download.rowCount));
    return new Response(download.stream, { status: 200, headers });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "INTERNAL") logger.error({ requestId, err: appError.cause ?? error }, "export download failed");
    if (appError.details.retryAfterSeconds) headers.set("retry-after", String(appError.details.retryAfterSeconds));
    return problem(appError.status, appError.code, appError.message, requestId, appError.details.errors ?? [], headers);
  }
}
