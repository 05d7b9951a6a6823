import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import {
  createPayerMapping,
  deletePayerMapping,
  listPayerMappings,
  updatePayerMapping,
  ZCreatePayerMappingInput,
  ZPayerMapping,
  ZPayerMappingFilters,
  ZUpdatePayerMappingInput,
} from "@/server/services/ingestion/manage-payer-mappings";

export const payerMappingsRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/payer-mappings", {
        summary: "List payer mappings",
        description:
          "Raw payer names (as uploads spell them, normalised to lower case and single spaces) and the payer each maps to. Unmapped names arriving in uploads are mapped to a new customer-private payer until an admin re-maps them.",
        tags: ["mappings"],
      }),
    )
    .input(ZListParams.extend(ZPayerMappingFilters.shape).strict())
    .output(ZListOutput(ZPayerMapping))
    .query(({ ctx, input }) => listPayerMappings(ctx.tenant.customerId, input)),

  create: adminProcedure
    .meta(
      rest("POST", "/payer-mappings", {
        summary: "Map a payer name",
        description: "Maps a raw payer name to a catalogue payer or one of this customer's payers. Audited.",
        tags: ["mappings"],
        errors: { 404: "No such payer", 409: "Name already mapped" },
      }),
    )
    .input(ZCreatePayerMappingInput)
    .output(ZPayerMapping)
    .mutation(({ ctx, input }) => createPayerMapping(ctx.tenant.customerId, actorOf(ctx), input)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/payer-mappings/{id}", {
        summary: "Re-map a payer name",
        description: "Points the name at another payer and re-points every claim line that came in under it, in one transaction. Audited.",
        tags: ["mappings"],
        errors: { 404: "No such mapping or payer" },
      }),
    )
    .input(ZUpdatePayerMappingInput)
    .output(ZPayerMapping)
    .mutation(({ ctx, input }) => updatePayerMapping(ctx.tenant.customerId, actorOf(ctx), input)),

  delete: adminProcedure
    .meta(
      rest("DELETE", "/payer-mappings/{id}", {
        summary: "Delete a payer mapping",
        description: "Only a mapping no claim line came in under can be deleted (409 otherwise: re-map it instead). Audited.",
        tags: ["mappings"],
        errors: { 404: "No such mapping", 409: "Claim lines use this mapping" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), deleted: z.boolean() }))
    .mutation(({ ctx, input }) => deletePayerMapping(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
