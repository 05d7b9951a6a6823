import { rest } from "@/server/api/openapi-meta";
import { viewerProcedure } from "@/server/api/trpc";
import { readFromReplica } from "@/server/db/replica";
import { getPayerSummary } from "@/server/services/payer-summary/get-payer-summary";
import { PAYER_SUMMARY_ORDERING, ZPayerSummary, ZPayerSummaryInput } from "@/server/services/payer-summary/payer-summary-shape";

/** The payer scorecard: aggregates only (no PHI), so VIEWER may read it. */
export const payerSummaryProcedure = viewerProcedure
  .meta(
    rest("GET", "/claims/payer-summary", {
      summary: "Payer scorecard",
      description:
        "Per payer, for a period of decision dates (default the last 90 days): total lines, paid / partial / denied / other counts, denial rate, " +
        "average allowed amount, median days from submission to decision, the same figures for the previous period of equal length with the change, " +
        "and a sparkline of the denial rate. Also the recoupments and interest of the payers' 835 remittances (provider-level PLB adjustments: " +
        "money taken back with WO, 72, FB, … and L6 interest paid) per payer, per payer and month (`adjustmentsByMonth`) and in all, by remittance date. " +
        `Ordering: ${PAYER_SUMMARY_ORDERING.join(", ")} (prefix - for descending; default -totalLines). ` +
        "Download it as CSV with POST /exports (kind PAYER_SCORECARD).",
      tags: ["claims"],
    }),
  )
  .input(ZPayerSummaryInput)
  .output(ZPayerSummary)
  .query(({ ctx, input }) => readFromReplica(ctx.tenant.customerId, () => getPayerSummary(ctx.tenant.customerId, input)));
