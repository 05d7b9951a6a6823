import { z } from "zod";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { readFromReplica } from "@/server/db/replica";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { listUploadIssues, ZUploadIssues, ZUploadIssuesInput } from "@/server/services/ingestion/list-upload-issues";
import { getUpload, listUploads, uploadStats, ZUploadFilters, ZUploadStats, ZUploadSummary } from "@/server/services/ingestion/list-uploads";
import { ZUpload } from "@/server/services/ingestion/upload-row";

/** Reading uploads. Creating one is POST /uploads, a route handler of its own (multipart). */
export const uploadsRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/uploads", {
        summary: "List uploads",
        description: "CSV, X12 835 and JSON batch uploads of this customer with their counts and status, newest first. Row errors are in GET /uploads/{id}.",
        tags: ["uploads"],
      }),
    )
    .input(ZListParams.extend(ZUploadFilters.shape).strict())
    .output(ZListOutput(ZUploadSummary))
    .query(({ ctx, input }) => readFromReplica(ctx.tenant.customerId, () => listUploads(ctx.tenant.customerId, input))),

  stats: viewerProcedure
    .meta(
      rest("GET", "/uploads/stats", {
        summary: "Upload totals",
        description: "Counts of uploads by status, rows read, lines applied, row errors and claim lines stored.",
        tags: ["uploads"],
      }),
    )
    .input(z.object({}).strict().optional())
    .output(ZUploadStats)
    .query(({ ctx }) => readFromReplica(ctx.tenant.customerId, () => uploadStats(ctx.tenant.customerId))),

  get: viewerProcedure
    .meta(
      rest("GET", "/uploads/{id}", {
        summary: "Get an upload",
        description: "One upload with its row errors (line, field, message; the first 1,000).",
        tags: ["uploads"],
        errors: { 404: "No such upload" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZUpload)
    .query(({ ctx, input }) => getUpload(ctx.tenant.customerId, input.id)),

  issues: viewerProcedure
    .meta(
      rest("GET", "/uploads/{id}/issues", {
        summary: "Page through an upload's skipped items or warnings",
        description:
          "X12 835 uploads keep what could be used and list the rest: `kind=skipped` pages through the values left out (segment number, segment/field, reason), " +
          "`kind=warning` through odd but usable findings. Pages run over the first 1,000 of each kind, in file order; `found` is the full count.",
        tags: ["uploads"],
        errors: { 404: "No such upload" },
      }),
    )
    .input(ZUploadIssuesInput)
    .output(ZUploadIssues)
    .query(({ ctx, input }) => listUploadIssues(ctx.tenant.customerId, input)),
});
