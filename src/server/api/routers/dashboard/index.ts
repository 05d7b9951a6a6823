import { z } from "zod";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { readFromReplica } from "@/server/db/replica";
import { ZDashboard } from "@/server/services/dashboard/dashboard-shape";
import { getDashboard } from "@/server/services/dashboard/get-dashboard";

export const dashboardRouter = createTRPCRouter({
  get: viewerProcedure
    .meta(
      rest("GET", "/dashboard", {
        summary: "Dashboard overview",
        description:
          "What changed and how much money is at risk, at a glance: claim-line and upload totals, active drift events, estimated revenue at risk " +
          "(sum of the active events' monthly impact), pending alerts, the last detection run, the denial rate by month for the last 6 months, " +
          "the top drifting payers and the newest alerts. Figures are cached briefly per customer and recomputed as soon as an upload, run or alert changes them.",
        tags: ["dashboard"],
      }),
    )
    .input(z.object({}).strict().optional())
    .output(ZDashboard)
    .query(({ ctx }) => readFromReplica(ctx.tenant.customerId, () => getDashboard(ctx.tenant.customerId))),
});
