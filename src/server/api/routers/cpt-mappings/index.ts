import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import {
  createCptMapping,
  deleteCptMapping,
  listCptMappings,
  updateCptMapping,
  ZCptMapping,
  ZCptMappingFilters,
  ZCreateCptMappingInput,
  ZUpdateCptMappingInput,
} from "@/server/services/ingestion/manage-cpt-mappings";

export const cptMappingsRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/cpt-mappings", {
        summary: "List CPT group overrides",
        description: "This customer's CPT/HCPCS code -> group overrides of the standard code ranges.",
        tags: ["mappings"],
      }),
    )
    .input(ZListParams.extend(ZCptMappingFilters.shape).strict())
    .output(ZListOutput(ZCptMapping))
    .query(({ ctx, input }) => listCptMappings(ctx.tenant.customerId, input)),

  create: adminProcedure
    .meta(
      rest("POST", "/cpt-mappings", {
        summary: "Override a code's group",
        description: "Puts a code in another group and re-groups the existing claim lines of that code in the same transaction. Audited.",
        tags: ["mappings"],
        errors: { 409: "Code already overridden" },
      }),
    )
    .input(ZCreateCptMappingInput)
    .output(ZCptMapping)
    .mutation(({ ctx, input }) => createCptMapping(ctx.tenant.customerId, actorOf(ctx), input)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/cpt-mappings/{id}", {
        summary: "Change a code's group override",
        description: "Re-groups the existing claim lines of that code in the same transaction. Audited.",
        tags: ["mappings"],
        errors: { 404: "No such mapping" },
      }),
    )
    .input(ZUpdateCptMappingInput)
    .output(ZCptMapping)
    .mutation(({ ctx, input }) => updateCptMapping(ctx.tenant.customerId, actorOf(ctx), input)),

  delete: adminProcedure
    .meta(
      rest("DELETE", "/cpt-mappings/{id}", {
        summary: "Remove a code's group override",
        description: "The code's lines go back to the group of its standard range, in the same transaction. Audited.",
        tags: ["mappings"],
        errors: { 404: "No such mapping" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), deleted: z.boolean(), claimLinesRegrouped: z.number().int() }))
    .mutation(({ ctx, input }) => deleteCptMapping(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
