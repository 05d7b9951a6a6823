import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";

/** Alert rules (PRODUCT.md §4) as the API shows and accepts them. */

export const ZDriftType = z.enum(["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"]);

export const ZAlertRule = z.object({
  id: z.uuid(),
  name: z.string(),
  enabled: z.boolean(),
  payerId: z.uuid().nullable().describe("Scope: only this payer (null: every payer)."),
  cptGroup: z.string().nullable().describe("Scope: only this CPT group (null: every group)."),
  driftTypes: z.array(ZDriftType).describe("Scope: these drift types (empty: every type)."),
  minSeverity: z.number().nullable(),
  minAbsDelta: z.number().nullable(),
  minRevenueImpact: z.string().nullable().describe("Dollars per month, decimal string."),
  maxQValue: z.number().nullable(),
  notifyInApp: z.boolean(),
  emailRecipients: z.array(z.string()),
  endpointIds: z.array(z.uuid()).describe("Webhook endpoints this rule notifies."),
  cooldownMinutes: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TAlertRule = z.infer<typeof ZAlertRule>;

export const alertRuleSelect = {
  id: true,
  name: true,
  enabled: true,
  payerId: true,
  cptGroup: true,
  driftTypes: true,
  minSeverity: true,
  minAbsDelta: true,
  minRevenueImpact: true,
  maxQValue: true,
  notifyInApp: true,
  emailRecipients: true,
  cooldownMinutes: true,
  createdAt: true,
  updatedAt: true,
  endpointLinks: { select: { endpointId: true }, orderBy: { endpointId: "asc" } },
} satisfies Prisma.AlertRuleSelect;

type TRuleRow = Prisma.AlertRuleGetPayload<{ select: typeof alertRuleSelect }>;

export function toAlertRule(row: TRuleRow): TAlertRule {
  const { endpointLinks, minRevenueImpact, ...rest } = row;
  return { ...rest, minRevenueImpact: minRevenueImpact?.toFixed(2) ?? null, endpointIds: endpointLinks.map((l) => l.endpointId) };
}

const ZMoney = z
  .union([z.number(), z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, "a decimal amount such as 1000.00")])
  .transform(String)
  .refine((v) => Number(v) >= 0, "must be >= 0");

const ruleFields = {
  name: z.string().trim().min(1).max(120),
  enabled: z.boolean(),
  payerId: z.uuid().nullable(),
  cptGroup: z.string().trim().min(1).max(40).nullable(),
  driftTypes: z.array(ZDriftType).max(4),
  minSeverity: z.number().min(0).max(1).nullable(),
  minAbsDelta: z.number().min(0).nullable(),
  minRevenueImpact: ZMoney.nullable(),
  maxQValue: z.number().min(0).max(1).nullable(),
  notifyInApp: z.boolean(),
  emailRecipients: z.array(z.email().max(254)).max(50),
  endpointIds: z.array(z.uuid()).max(20),
  cooldownMinutes: z.number().int().min(0).max(43_200),
};

export const ZCreateAlertRuleInput = z.strictObject({
  name: ruleFields.name,
  enabled: ruleFields.enabled.default(true),
  payerId: ruleFields.payerId.optional(),
  cptGroup: ruleFields.cptGroup.optional(),
  driftTypes: ruleFields.driftTypes.default([]),
  minSeverity: ruleFields.minSeverity.optional(),
  minAbsDelta: ruleFields.minAbsDelta.optional(),
  minRevenueImpact: ruleFields.minRevenueImpact.optional(),
  maxQValue: ruleFields.maxQValue.optional(),
  notifyInApp: ruleFields.notifyInApp.default(true),
  emailRecipients: ruleFields.emailRecipients.default([]),
  endpointIds: ruleFields.endpointIds.default([]),
  cooldownMinutes: ruleFields.cooldownMinutes.default(240),
});

export const ZUpdateAlertRuleInput = z.strictObject({
  id: z.uuid(),
  ...Object.fromEntries(Object.entries(ruleFields).map(([key, schema]) => [key, schema.optional()])),
} as { id: z.ZodUUID } & { [K in keyof typeof ruleFields]: z.ZodOptional<(typeof ruleFields)[K]> });

export const ZAlertRuleFilters = z.object({
  enabled: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});
