import { z } from "zod";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { listCptGroups, listPayers, ZCptGroup, ZPayerFilters, ZPayerRef } from "@/server/services/ingestion/list-catalogues";

export const cataloguesRouter = createTRPCRouter({
  payers: viewerProcedure
    .meta(
      rest("GET", "/payers", {
        summary: "List payers",
        description: "The shared payer catalogue and this customer's own payers (created from unmapped names in uploads).",
        tags: ["catalogues"],
      }),
    )
    .input(ZListParams.extend(ZPayerFilters.shape).strict())
    .output(ZListOutput(ZPayerRef))
    .query(({ ctx, input }) => listPayers(ctx.tenant.customerId, input)),

  cptGroups: viewerProcedure
    .meta(
      rest("GET", "/cpt-groups", {
        summary: "List CPT groups",
        description: "The CPT groups claim lines fall into (by standard code range, or a customer's override). Codes and names only.",
        tags: ["catalogues"],
      }),
    )
    .input(z.object({}).strict().optional())
    .output(z.object({ items: z.array(ZCptGroup) }))
    .query(() => listCptGroups()),
});
