import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { getClaim, listClaims, ZClaimFilters, ZClaimLine } from "@/server/services/claims/read-claims";
import { payerSummaryProcedure } from "./payer-summary";

export const claimsRouter = createTRPCRouter({
  list: analystProcedure
    .meta(
      rest("GET", "/claims", {
        summary: "List claim lines",
        description:
          "Claim lines (PHI: ANALYST and up; every read is audited). Filters by payer, CPT group or code, outcome, upload, submitter claim id and date ranges; `search` matches the start of the submitter or payer claim number; ordering by decidedAt (default, newest first), serviceDate, submittedAt, createdAt, updatedAt.",
        tags: ["claims"],
      }),
    )
    .input(ZListParams.extend(ZClaimFilters.shape).strict())
    .output(ZListOutput(ZClaimLine))
    .query(({ ctx, input }) => listClaims(ctx.tenant.customerId, actorOf(ctx), input)),

  // Before `get`: the REST façade matches /claims/payer-summary before /claims/{id}.
  payerSummary: payerSummaryProcedure,

  get: analystProcedure
    .meta(
      rest("GET", "/claims/{id}", {
        summary: "Get a claim line",
        description: "One claim line (PHI; the read is audited). The patient account is never returned: only its keyed hash is stored.",
        tags: ["claims"],
        errors: { 404: "No such claim line" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZClaimLine)
    .query(({ ctx, input }) => getClaim(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
