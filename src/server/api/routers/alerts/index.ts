import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { readFromReplica } from "@/server/db/replica";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { BULK_ACKNOWLEDGE_LIMIT, ZAlert, ZAlertFilters, ZBulkAcknowledgeInput, ZFeedbackInput } from "@/server/services/alerts/alert-shape";
import { acknowledgeAlert, bulkAcknowledgeAlerts, resolveAlert } from "@/server/services/alerts/change-alert-status";
import { giveAlertFeedback } from "@/server/services/alerts/give-alert-feedback";
import { getAlert, listActiveAlerts, listAlerts } from "@/server/services/alerts/list-alerts";

const tags = ["alerts"];
const lists =
  "Filters: status, ruleId, driftEventId, payerId, cptGroup, driftType, suppressed, createdFrom/createdTo; search matches rule and payer names; ordering: createdAt (default -createdAt).";

export const alertsRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/alerts", {
        summary: "List alerts",
        description: `Alert events raised by rules, suppressed ones included (with their reason). ${lists}`,
        tags,
      }),
    )
    .input(ZListParams.extend(ZAlertFilters.shape).strict())
    .output(ZListOutput(ZAlert))
    .query(({ ctx, input }) => readFromReplica(ctx.tenant.customerId, () => listAlerts(ctx.tenant.customerId, input))),

  active: viewerProcedure
    .meta(
      rest("GET", "/alerts/active", {
        summary: "Active alerts",
        description: `Alerts that still want a person (the in-app channel): PENDING, SENT or FAILED, not suppressed, from rules that notify in-app; paginated like every list. ${lists}`,
        tags,
      }),
    )
    .input(ZListParams.extend(ZAlertFilters.omit({ status: true, suppressed: true }).shape).strict())
    .output(ZListOutput(ZAlert))
    .query(({ ctx, input }) => readFromReplica(ctx.tenant.customerId, () => listActiveAlerts(ctx.tenant.customerId, input))),

  get: viewerProcedure
    .meta(
      rest("GET", "/alerts/{id}", {
        summary: "Get an alert",
        description: "One alert with its rule, drift event summary and feedback.",
        tags,
        errors: { 404: "No such alert" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZAlert)
    .query(({ ctx, input }) => getAlert(ctx.tenant.customerId, input.id)),

  feedback: analystProcedure
    .meta(
      rest("POST", "/alerts/{id}/feedback", {
        summary: "Give feedback on an alert",
        description:
          "Verdict NOISE / REAL / NEEDS_FOLLOWUP, reason codes, recovered amount and date, notes. One per alert and user: sending again edits it. NOISE resolves the alert (two NOISE verdicts in 30 days suppress later alerts of the same rule, payer, CPT group and drift type); REAL and NEEDS_FOLLOWUP acknowledge it. Audited.",
        tags,
        errors: { 404: "No such alert" },
      }),
    )
    .input(ZFeedbackInput)
    .output(ZAlert)
    .mutation(({ ctx, input }) => giveAlertFeedback(ctx.tenant.customerId, actorOf(ctx), input)),

  acknowledge: analystProcedure
    .meta(
      rest("POST", "/alerts/{id}/acknowledge", {
        summary: "Acknowledge an alert",
        description: "Someone is on it. Idempotent; a resolved alert answers 409. Audited.",
        tags,
        errors: { 404: "No such alert", 409: "Already resolved" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZAlert)
    .mutation(({ ctx, input }) => acknowledgeAlert(ctx.tenant.customerId, actorOf(ctx), input.id)),

  resolve: analystProcedure
    .meta(
      rest("POST", "/alerts/{id}/resolve", {
        summary: "Resolve an alert",
        description: "Closes the alert and sends alert.resolved to the rule's subscribed endpoints. Idempotent. Audited.",
        tags,
        errors: { 404: "No such alert" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZAlert)
    .mutation(({ ctx, input }) => resolveAlert(ctx.tenant.customerId, actorOf(ctx), input.id)),

  bulkAcknowledge: analystProcedure
    .meta(
      rest("POST", "/alerts/bulk-acknowledge", {
        summary: "Acknowledge alerts in bulk",
        description: `Up to ${BULK_ACKNOWLEDGE_LIMIT} ids in one transaction; ids that are unknown, another customer's, already acknowledged or resolved are listed in \`skipped\`. Rate limited as a bulk operation (per customer). Audited.`,
        tags,
        rateLimit: "bulk",
      }),
    )
    .input(ZBulkAcknowledgeInput)
    .output(z.object({ acknowledged: z.array(z.uuid()), skipped: z.array(z.uuid()) }))
    .mutation(({ ctx, input }) => bulkAcknowledgeAlerts(ctx.tenant.customerId, actorOf(ctx), input.ids)),
});
