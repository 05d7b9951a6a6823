import { readFile } from "node:fs/promises";
import { actorOf } from "@/server/api/actor-of-caller";
import { createContext } from "@/server/api/context";
import { toAppError } from "@/server/api/errors";
import { handleRest, problem } from "@/server/api/http";
import { crossSiteRefusal } from "@/server/api/same-origin";
import { AppError } from "@/server/lib/errors";
import { logger } from "@/server/lib/logger";
import { consumeRateLimit, rateLimitHeaders } from "@/server/lib/rate-limit";
import { requestIdFrom } from "@/server/lib/request-id";
import { uploadFeeSchedule } from "@/server/services/fee-schedules/upload-fee-schedule";
import { ingestionLimits } from "@/server/services/ingestion/ingestion-limits";
import { multipartBoundary, readMultipartFile } from "@/server/services/ingestion/read-multipart-file";
import { spoolUpload, tooLarge } from "@/server/services/ingestion/spool-upload";

/**
 * POST /api/v1/fee-schedules: a fee schedule CSV as multipart field `file` (or the raw body as
 * text/csv). Like POST /uploads — trpc-to-openapi cannot take multipart — this handler does what
 * the REST door does: same context, ANALYST role, `upload` rate limit, problem+json errors. The
 * body is spooled to a temporary file under UPLOAD_MAX_BYTES before the one transaction runs.
 * 201 applied; 400 row errors naming line and field, nothing written. GET lists (tRPC procedure).
 */

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const ROLE_RANK = { VIEWER: 1, ANALYST: 2, ADMIN: 3 } as const;
const MULTIPART_SLACK = 64 * 1024;

function cleanFilename(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base
    .replace(/[^\x20-\x7E]/g, "_")
    .trim()
    .slice(0, 255);
  return clean === "" ? "fee-schedule.csv" : clean;
}

async function readBody(req: Request, maxBytes: number): Promise<{ text: string; filename: string }> {
  const contentType = req.headers.get("content-type") ?? "";
  const body = req.body as unknown as AsyncIterable<Uint8Array> | null;
  if (!body) throw new AppError("BAD_REQUEST", "Send the fee schedule as multipart field `file`.", { errors: [{ path: "file", message: "required" }] });
  let filename = cleanFilename(/filename="([^"]+)"/i.exec(req.headers.get("content-disposition") ?? "")?.[1]);
  let chunks = body;
  if (/^multipart\/form-data/i.test(contentType)) {
    const boundary = multipartBoundary(contentType);
    if (!boundary) throw new AppError("BAD_REQUEST", "The multipart Content-Type has no boundary.", { errors: [{ path: "file", message: "no boundary" }] });
    const part = await readMultipartFile(body, boundary);
    filename = cleanFilename(part.filename);
    chunks = part.chunks;
  }
  const spooled = await spoolUpload(chunks, maxBytes);
  try {
    const bytes = await readFile(spooled.path);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new AppError("BAD_REQUEST", "The fee schedule is not UTF-8 text.", {
        errors: [{ path: "line 1: file", message: "not a text file: a fee schedule is a UTF-8 CSV" }],
      });
    }
    return { text, filename };
  } finally {
    await spooled.remove();
  }
}

export async function POST(req: Request): Promise<Response> {
  const requestId = requestIdFrom(req.headers);
  const headers = new Headers();
  const refusal = crossSiteRefusal(req.method, req.headers);
  if (refusal) return problem(403, "FORBIDDEN", refusal, requestId);
  try {
    const ctx = await createContext({ headers: req.headers, requestId, responseHeaders: headers });
    if (!ctx.caller) throw new AppError("UNAUTHORIZED", ctx.authError ?? "Sign in or send an API key.");
    if (!ctx.tenant) throw new AppError("FORBIDDEN", "You are not a member of any customer.");
    if (ROLE_RANK[ctx.tenant.role] < ROLE_RANK.ANALYST) throw new AppError("FORBIDDEN", "This needs the ANALYST role or higher.");
    const rate = await consumeRateLimit("upload", ctx.tenant.customerId);
    for (const [name, value] of Object.entries(rateLimitHeaders(rate))) headers.set(name, value);
    if (!rate.allowed)
      throw new AppError("TOO_MANY_REQUESTS", "Upload rate limit reached; retry later.", { retryAfterSeconds: Math.max(1, rate.resetSeconds) });

    const contentType = req.headers.get("content-type") ?? "";
    const multipart = /^multipart\/form-data/i.test(contentType);
    if (!multipart && !/^(text\/csv|text\/plain)\b/i.test(contentType)) {
      return problem(415, "UNSUPPORTED_MEDIA_TYPE", "Send multipart/form-data with field `file`, or the CSV as text/csv.", requestId, [], headers);
    }
    const { maxBytes } = ingestionLimits();
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > maxBytes + (multipart ? MULTIPART_SLACK : 0)) throw tooLarge(maxBytes);
    const file = await readBody(req, maxBytes);
    const result = await uploadFeeSchedule(ctx.tenant.customerId, actorOf({ ...ctx, caller: ctx.caller }), file);
    headers.set("x-request-id", requestId);
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify(result), { status: 201, headers });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "INTERNAL") logger.error({ requestId, err: appError.cause ?? error }, "fee schedule upload failed");
    return problem(appError.status, appError.code, appError.message, requestId, appError.details.errors ?? [], headers);
  }
}

export { handleRest as GET };
