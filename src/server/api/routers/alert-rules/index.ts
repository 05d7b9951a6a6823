import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZAlertRule, ZAlertRuleFilters, ZCreateAlertRuleInput, ZUpdateAlertRuleInput } from "@/server/services/alerts/alert-rule-shape";
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from "@/server/services/alerts/manage-alert-rules";

const tags = ["alert-rules"];
const scope =
  "Scope (payer, CPT group, drift types; each optional) and conditions (min severity, min |delta|, min revenue impact, max q) decide which drift events raise an alert; channels are webhook endpoints, e-mail recipients and in-app; the cooldown (minutes) suppresses repeats per (rule, payer, CPT group, drift type).";

export const alertRulesRouter = createTRPCRouter({
  list: viewerProcedure
    .meta(
      rest("GET", "/alert-rules", {
        summary: "List alert rules",
        description: `Rules of this customer. Search matches the name; ordering: name, createdAt. ${scope}`,
        tags,
      }),
    )
    .input(ZListParams.extend(ZAlertRuleFilters.shape).strict())
    .output(ZListOutput(ZAlertRule))
    .query(({ ctx, input }) => listAlertRules(ctx.tenant.customerId, input)),

  get: viewerProcedure
    .meta(rest("GET", "/alert-rules/{id}", { summary: "Get an alert rule", description: scope, tags, errors: { 404: "No such rule" } }))
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZAlertRule)
    .query(({ ctx, input }) => getAlertRule(ctx.tenant.customerId, input.id)),

  create: adminProcedure
    .meta(
      rest("POST", "/alert-rules", {
        summary: "Create an alert rule",
        description: `Names are unique per customer (409). ${scope} Audited.`,
        tags,
        errors: { 409: "Name already used" },
      }),
    )
    .input(ZCreateAlertRuleInput)
    .output(ZAlertRule)
    .mutation(({ ctx, input }) => createAlertRule(ctx.tenant.customerId, actorOf(ctx), input)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/alert-rules/{id}", {
        summary: "Change an alert rule",
        description: "Only the fields sent change; `endpointIds` replaces the list; null clears an optional condition. Audited.",
        tags,
        errors: { 404: "No such rule", 409: "Name already used" },
      }),
    )
    .input(ZUpdateAlertRuleInput)
    .output(ZAlertRule)
    .mutation(({ ctx, input }) => updateAlertRule(ctx.tenant.customerId, actorOf(ctx), input)),

  delete: adminProcedure
    .meta(
      rest("DELETE", "/alert-rules/{id}", {
        summary: "Delete an alert rule",
        description: "Deletes the rule and its alerts; disable it instead to keep their history. Audited.",
        tags,
        errors: { 404: "No such rule" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), deleted: z.boolean() }))
    .mutation(({ ctx, input }) => deleteAlertRule(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
