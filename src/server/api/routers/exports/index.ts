import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZCreateExportInput, ZExport } from "@/server/services/exports/export-shape";
import { createExport, getExport } from "@/server/services/exports/exports";

export const exportsRouter = createTRPCRouter({
  create: analystProcedure
    .meta(
      rest("POST", "/exports", {
        summary: "Start a CSV export",
        description:
          "Queues a CSV export as a background job and answers at once with the QUEUED export; poll GET /exports/{id} for `progress` and " +
          "download from `downloadUrl` once it has SUCCEEDED. Kinds: PAYER_SCORECARD (params: from, to, ordering), DRIFT_EVENTS (status, driftType, payerId, cptGroup), " +
          "ALERTS (status, createdFrom, createdTo) and CLAIMS (decidedFrom, decidedTo, payerId; PHI, at most 100,000 lines, audited).",
        tags: ["exports"],
      }),
    )
    .input(ZCreateExportInput)
    .output(ZExport)
    .mutation(({ ctx, input }) => createExport(ctx.tenant.customerId, actorOf(ctx), input)),

  get: analystProcedure
    .meta(
      rest("GET", "/exports/{id}", {
        summary: "Get an export",
        description: "Status, progress (0–1), row count and, once SUCCEEDED, the download URL of an export.",
        tags: ["exports"],
        errors: { 404: "No such export" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZExport)
    .query(({ ctx, input }) => getExport(ctx.tenant.customerId, input.id)),
});
