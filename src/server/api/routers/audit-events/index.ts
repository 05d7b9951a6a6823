import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { listAuditEvents, ZAuditEvent, ZAuditEventFilters } from "@/server/services/audit/list-audit-events";

export const auditEventsRouter = createTRPCRouter({
  list: adminProcedure
    .meta(
      rest("GET", "/audit-events", {
        summary: "Audit log",
        description: "Append-only, hash-chained record of sign-ins, PHI reads and admin changes, newest first.",
        tags: ["audit"],
      }),
    )
    .input(ZListParams.extend(ZAuditEventFilters.shape).strict())
    .output(ZListOutput(ZAuditEvent))
    .query(({ ctx, input }) => listAuditEvents(ctx.tenant.customerId, input)),
});
