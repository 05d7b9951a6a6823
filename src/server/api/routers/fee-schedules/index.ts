import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { listFeeScheduleRates, ZFeeScheduleFilters, ZFeeScheduleRate } from "@/server/services/fee-schedules/list-fee-schedule-rates";

/** Uploading is POST /api/v1/fee-schedules, a route handler of its own (multipart). */
export const feeSchedulesRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/fee-schedules", {
        summary: "List fee schedule rates",
        description:
          "Contracted rates per payer and CPT/HCPCS code (and modifier) with their effective dates, newest upload first. Superseded rates stay listed as history (`status: SUPERSEDED`, `supersededBy`): where a later upload overlaps their dates, its rate applies. Search matches the start of the code. Ordering: createdAt, cptCode (prefix - for descending).",
        tags: ["fee-schedules"],
      }),
    )
    .input(ZListParams.extend(ZFeeScheduleFilters.shape).strict())
    .output(ZListOutput(ZFeeScheduleRate))
    .query(({ ctx, input }) => listFeeScheduleRates(ctx.tenant.customerId, input)),
});
