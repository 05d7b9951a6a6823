import { handleRest, problem } from "@/server/api/http";
import { withKernel } from "@/server/api/with-kernel";
import { actorOf } from "@/server/api/actor-of-caller";
import { AppError } from "@/server/lib/errors";
import type { TApplyResult } from "@/server/services/ingestion/apply-claim-lines";
import { ingestionLimits } from "@/server/services/ingestion/ingestion-limits";
import { ingestUploadFile } from "@/server/services/ingestion/ingest-upload-file";
import { multipartBoundary, readMultipartFile } from "@/server/services/ingestion/read-multipart-file";
import { spoolUpload, tooLarge, type TSpooledUpload } from "@/server/services/ingestion/spool-upload";
import { toUpload } from "@/server/services/ingestion/upload-row";

/**
 * POST /api/v1/uploads: a CSV or X12 835 file as multipart field `file` or as the raw body
 * (text/csv, application/edi-x12). trpc-to-openapi cannot take multipart, so this handler does
 * what the REST door does for procedures through the same kernel (with-kernel.ts: same-origin
 * check, context, ANALYST role, `upload` rate limit, problem+json errors) and streams the body to a temporary file (hash + size limit) before the
 * one-transaction writer runs. GET /uploads stays with the tRPC list procedure.
 *
 * Answers: 201 a new upload applied; 200 the same file was uploaded before (the existing
 * upload, `replayed: true`); 400 the file was rejected (problem+json with row errors and the
 * stored `upload`; nothing applied); 413 over UPLOAD_MAX_BYTES or UPLOAD_MAX_ROWS.
 */

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

// Multipart framing around the file (boundaries, part headers) on top of UPLOAD_MAX_BYTES.
const MULTIPART_SLACK = 64 * 1024;
const RAW_TYPES = /^(text\/csv|application\/edi-x12|application\/x12|application\/edi|text\/plain|application\/octet-stream)\b/i;

function filenameFrom(headers: Headers, fallback: string): string {
  const disposition = headers.get("content-disposition") ?? "";
  const named = /filename="([^"]+)"/i.exec(disposition)?.[1] ?? /filename=([^;\s]+)/i.exec(disposition)?.[1] ?? headers.get("x-filename");
  return cleanFilename(named ?? fallback);
}

function cleanFilename(name: string): string {
  // Keep the base name only, printable, at most 255 characters.
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base
    .replace(/[^\x20-\x7E]/g, "_")
    .trim()
    .slice(0, 255);
  return clean === "" ? "upload" : clean;
}

async function spoolBody(req: Request, maxBytes: number): Promise<TSpooledUpload & { filename: string; declaredType?: string }> {
  const contentType = req.headers.get("content-type") ?? "";
  const body = req.body as unknown as AsyncIterable<Uint8Array> | null;
  if (!body)
    throw new AppError("BAD_REQUEST", "Send the file as multipart field `file` or as the request body.", { errors: [{ path: "file", message: "required" }] });
  if (/^multipart\/form-data/i.test(contentType)) {
    const boundary = multipartBoundary(contentType);
    if (!boundary) throw new AppError("BAD_REQUEST", "The multipart Content-Type has no boundary.", { errors: [{ path: "file", message: "no boundary" }] });
    const part = await readMultipartFile(body, boundary);
    const spooled = await spoolUpload(part.chunks, maxBytes);
    return { ...spooled, filename: cleanFilename(part.filename ?? "upload"), declaredType: part.contentType };
  }
  const spooled = await spoolUpload(body, maxBytes);
  const x12 = /x12|edi/i.test(contentType);
  return { ...spooled, filename: filenameFrom(req.headers, x12 ? "upload.835" : "upload.csv"), declaredType: contentType };
}

async function answer(result: TApplyResult, requestId: string, headers: Headers): Promise<Response> {
  const upload = toUpload(result.upload);
  const replayed = !result.created;
  headers.set("x-request-id", requestId);
  if (upload.status === "REJECTED") {
    const detail = `The upload was rejected: ${upload.errorCount} row error(s); nothing was applied. Fix the rows and upload the file again.`;
    const errors = upload.errors.map((error) => ({ path: `line ${error.line}: ${error.field}`, message: error.message, line: error.line, field: error.field }));
    const base = (await problem(400, "BAD_REQUEST", detail, requestId, errors, headers).json()) as Record<string, unknown>;
    headers.set("content-type", "application/problem+json");
    return new Response(JSON.stringify({ ...base, upload, replayed }), { status: 400, headers });
  }
  headers.set("content-type", "application/json");
  headers.set("location", `/api/v1/uploads/${upload.id}`);
  const body = { upload, replayed, insertedCount: result.insertedCount, updatedCount: result.updatedCount, reversedCount: result.reversedCount };
  return new Response(JSON.stringify(body), { status: replayed ? 200 : 201, headers });
}

export const POST = withKernel({ role: "ANALYST", rateLimit: "upload", name: "upload" }, async (ctx, req) => {
  const { requestId, responseHeaders: headers } = ctx;
  const contentType = req.headers.get("content-type") ?? "";
  const multipart = /^multipart\/form-data/i.test(contentType);
  if (!multipart && !RAW_TYPES.test(contentType)) {
    return problem(
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      "Send multipart/form-data with field `file`, or the raw file as text/csv or application/edi-x12.",
      requestId,
      [],
      headers,
    );
  }
  const limits = ingestionLimits();
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes + (multipart ? MULTIPART_SLACK : 0)) throw tooLarge(limits.maxBytes);

  const file = await spoolBody(req, limits.maxBytes);
  try {
    return await answer(await ingestUploadFile(ctx.tenant.customerId, actorOf(ctx), file, limits), requestId, headers);
  } finally {
    await file.remove();
  }
});

export { handleRest as GET };
