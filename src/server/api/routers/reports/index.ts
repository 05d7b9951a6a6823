import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { auditAction } from "@/server/lib/actor";
import { db } from "@/server/db/client";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZDetectionRun } from "@/server/services/detection/detection-run-shape";
import { enqueueDetectionRun } from "@/server/services/detection/detection-runs";
import { getDetectionRun, listDetectionRuns, ZDetectionRunFilters } from "@/server/services/detection/list-detection-runs";

/** Detection runs — "reports" in the API of the Django system Driftline replaces. */
export const reportsRouter = createTRPCRouter({
  trigger: analystProcedure
    .meta(
      rest("POST", "/reports/trigger", {
        summary: "Start a detection run",
        description:
          "Queues a drift detection run for this customer and returns it at once (status QUEUED); poll GET /reports/{id}. " +
          "If a run is already queued or running, that run is returned instead (`created: false`). Rate limited per customer.",
        tags: ["reports"],
        rateLimit: "runTrigger",
      }),
    )
    .input(z.object({}).strict().optional())
    .output(ZDetectionRun.extend({ created: z.boolean() }))
    .mutation(async ({ ctx }) => {
      const run = await enqueueDetectionRun(ctx.tenant.customerId, { trigger: "MANUAL", requestedById: ctx.caller.userId });
      if (run.created) await auditAction(db(), actorOf(ctx), ctx.tenant.customerId, "detection-run.trigger", { type: "detection_run", id: run.id });
      return run;
    }),

  list: viewerProcedure
    .meta(
      rest("GET", "/reports", {
        summary: "List detection runs",
        description: "Runs with status, timings, counts and summary, newest first.",
        tags: ["reports"],
      }),
    )
    .input(ZListParams.extend(ZDetectionRunFilters.shape).strict())
    .output(ZListOutput(ZDetectionRun))
    .query(({ ctx, input }) => listDetectionRuns(ctx.tenant.customerId, input)),

  get: viewerProcedure
    .meta(
      rest("GET", "/reports/{id}", {
        summary: "Get a detection run",
        description: "One run with its counts, windows, summary and, if it failed, the reason.",
        tags: ["reports"],
        errors: { 404: "No such run" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZDetectionRun)
    .query(({ ctx, input }) => getDetectionRun(ctx.tenant.customerId, input.id)),
});
