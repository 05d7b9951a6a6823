import { z } from "zod";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { readFromReplica } from "@/server/db/replica";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZDriftEvent, ZDriftEventDetail } from "@/server/services/detection/drift-event-shape";
import { getDriftEvent, listDriftEvents, ZDriftEventFilters } from "@/server/services/detection/list-drift-events";

const ordering = "Ordering: lastDetectedAt, firstDetectedAt, severity, qValue (prefix - for descending).";

export const driftEventsRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/drift-events", {
        summary: "List drift events",
        description: `Active and resolved drift events, newest detection first. Search matches payer name, CPT group and CARC. ${ordering}`,
        tags: ["drift-events"],
      }),
    )
    .input(ZListParams.extend(ZDriftEventFilters.shape).strict())
    .output(ZListOutput(ZDriftEvent))
    .query(({ ctx, input }) => readFromReplica(ctx.tenant.customerId, () => listDriftEvents(ctx.tenant.customerId, input))),

  active: viewerProcedure
    .meta(
      rest("GET", "/drift-events/active", {
        summary: "Active drift events",
        description: `Only ACTIVE events, most severe first by default; paginated like every list. ${ordering}`,
        tags: ["drift-events"],
      }),
    )
    .input(ZListParams.extend(ZDriftEventFilters.omit({ status: true }).shape).strict())
    .output(ZListOutput(ZDriftEvent))
    .query(({ ctx, input }) =>
      readFromReplica(ctx.tenant.customerId, () => listDriftEvents(ctx.tenant.customerId, { ...input, status: "ACTIVE" }, { defaultOrdering: "-severity" })),
    ),

  get: viewerProcedure
    .meta(
      rest("GET", "/drift-events/{id}", {
        summary: "Get a drift event",
        description:
          "One drift event with its statistics, windows, revenue impact and root cause: the denial reasons (CARC, RARC) and procedures behind the change, by their part in it, and the day it began.",
        tags: ["drift-events"],
        errors: { 404: "No such drift event" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZDriftEventDetail)
    .query(({ ctx, input }) => getDriftEvent(ctx.tenant.customerId, input.id)),
});
