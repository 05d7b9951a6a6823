import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { AppError } from "@/server/lib/errors";
import { openExportDownload } from "@/server/services/exports/exports";
import { withKernel } from "./with-kernel";

/**
 * GET /api/v1/exports/{id}/download: trpc-to-openapi cannot answer a file, so this does what the
 * REST door does for procedures through the same kernel (with-kernel.ts: context, ANALYST role,
 * read rate limit, problem+json errors, x-request-id) and streams the CSV. PHI exports are
 * audited by the service.
 */
export const handleExportDownload = withKernel({ role: "ANALYST", rateLimit: "read", name: "export download" }, async (ctx, _req, id: string) => {
  if (!z.uuid().safeParse(id).success) throw new AppError("BAD_REQUEST", "id: must be a UUID", { errors: [{ path: "id", message: "Invalid UUID" }] });
  const download = await openExportDownload(ctx.tenant.customerId, actorOf(ctx), id);
  const headers = ctx.responseHeaders;
  headers.set("content-type", "text/csv; charset=utf-8");
  headers.set("content-disposition", `attachment; filename="${download.filename}"`);
  headers.set("cache-control", "private, no-store");
  headers.set("x-row-count", String(download.rowCount));
  return new Response(download.stream, { status: 200, headers });
});
