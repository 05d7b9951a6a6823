import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { BULK_UNDERPAYMENT_LIMIT, changeUnderpayments, ZChangeUnderpaymentsInput } from "@/server/services/underpayments/change-underpayment-status";
import { listUnderpayments, ZUnderpayment, ZUnderpaymentFilters } from "@/server/services/underpayments/list-underpayments";
import { getUnderpaymentSummary, ZUnderpaymentSummary } from "@/server/services/underpayments/summarize-underpayments";

const tags = ["underpayments"];

export const underpaymentsRouter = createTRPCRouter({
  list: analystProcedure
    .meta(
      rest("GET", "/underpayments", {
        summary: "List underpaid claim lines",
        description:
          "ANALYST and up (claim ids with dates of service are PHI; every read is audited). The underpayment worklist: one row per claim line allowed below its contracted expected amount (fee schedule rate × units on the service date) by more than the tolerance (the larger of 1 % and $1), with expectedAmount, allowedAmount, paidAmount, variance (expected - allowed), status, assignee and the recovery ledger. Lines without a contracted rate and denied lines never appear. Filters: payerId, cptCode, cptGroup, status, assigneeId, serviceFrom/serviceTo; search matches the start of the claim id. Ordering: serviceDate (default -serviceDate), createdAt, updatedAt. The same rows as CSV: GET /underpayments/export.csv with the same filters.",
        tags,
      }),
    )
    .input(ZListParams.extend(ZUnderpaymentFilters.shape).strict())
    .output(ZListOutput(ZUnderpayment))
    .query(({ ctx, input }) => listUnderpayments(ctx.tenant.customerId, input, actorOf(ctx))),

  summary: viewerProcedure
    .meta(
      rest("GET", "/underpayments/summary", {
        summary: "Underpayment totals",
        description: "Open variance by status and the recovery ledger: dollars recovered this calendar month (UTC) and in total.",
        tags,
      }),
    )
    .input(z.strictObject({}))
    .output(ZUnderpaymentSummary)
    .query(({ ctx }) => getUnderpaymentSummary(ctx.tenant.customerId)),

  bulkChange: analystProcedure
    .meta(
      rest("POST", "/underpayments/bulk-status", {
        summary: "Change underpayments in bulk",
        description: `Set status (OPEN, APPEALED, RECOVERED, WRITTEN_OFF) and/or assignee (a member of this customer, null to clear) of up to ${BULK_UNDERPAYMENT_LIMIT} rows in one transaction; unknown or another customer's ids are listed in \`skipped\`. Rate limited as a bulk operation. Audited.`,
        tags,
        rateLimit: "bulk",
      }),
    )
    .input(ZChangeUnderpaymentsInput)
    .output(z.object({ changed: z.array(z.uuid()), skipped: z.array(z.uuid()) }))
    .mutation(({ ctx, input }) => changeUnderpayments(ctx.tenant.customerId, actorOf(ctx), input)),
});
