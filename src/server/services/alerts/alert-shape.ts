import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { ZDriftType } from "./alert-rule-shape";

/** Alerts as callers see them (API.md "Alert"): aggregates and ids, no PHI. */

export const ZAlertStatus = z.enum(["PENDING", "SENT", "FAILED", "ACKNOWLEDGED", "RESOLVED"]);
export const ZFeedbackVerdict = z.enum(["NOISE", "REAL", "NEEDS_FOLLOWUP"]);

export const ZAlertFeedback = z.object({
  id: z.uuid(),
  user: z.object({ id: z.uuid(), email: z.string() }),
  verdict: ZFeedbackVerdict,
  reasonCodes: z.array(z.string()),
  recoveredAmount: z.string().nullable(),
  recoveredOn: z.string().nullable().describe("YYYY-MM-DD"),
  notes: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

export const ZAlert = z.object({
  id: z.uuid(),
  rule: z.object({ id: z.uuid(), name: z.string() }),
  driftEvent: z.object({
    id: z.uuid(),
    payer: z.object({ id: z.uuid(), name: z.string() }),
    cptGroup: z.string(),
    driftType: ZDriftType,
    status: z.enum(["ACTIVE", "RESOLVED"]),
    direction: z.enum(["UP", "DOWN"]),
    baselineValue: z.number(),
    currentValue: z.number(),
    delta: z.number(),
    severity: z.number(),
    qValue: z.number(),
    estimatedRevenueImpact: z.string(),
    lastDetectedAt: z.date(),
  }),
  status: ZAlertStatus,
  suppressed: z.boolean(),
  suppressionReason: z.string().nullable(),
  createdAt: z.date(),
  acknowledgedAt: z.date().nullable(),
  acknowledgedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  resolvedAt: z.date().nullable(),
  resolvedBy: z.object({ id: z.uuid(), email: z.string() }).nullable(),
  feedback: z.array(ZAlertFeedback),
});
export type TAlert = z.infer<typeof ZAlert>;

export const alertSelect = {
  id: true,
  status: true,
  suppressed: true,
  suppressionReason: true,
  createdAt: true,
  acknowledgedAt: true,
  resolvedAt: true,
  rule: { select: { id: true, name: true } },
  acknowledgedBy: { select: { id: true, email: true } },
  resolvedBy: { select: { id: true, email: true } },
  driftEvent: {
    select: {
      id: true,
      cptGroup: true,
      driftType: true,
      status: true,
      direction: true,
      baselineValue: true,
      currentValue: true,
      delta: true,
      severity: true,
      qValue: true,
      estimatedRevenueImpact: true,
      lastDetectedAt: true,
      payer: { select: { id: true, name: true } },
    },
  },
  feedback: {
    orderBy: { createdAt: "asc" },
    take: 50,
    select: {
      id: true,
      verdict: true,
      reasonCodes: true,
      recoveredAmount: true,
      recoveredOn: true,
      notes: true,
      createdAt: true,
      updatedAt: true,
      user: { select: { id: true, email: true } },
    },
  },
} satisfies Prisma.AlertEventSelect;

type TAlertRow = Prisma.AlertEventGetPayload<{ select: typeof alertSelect }>;

export function toAlert(row: TAlertRow): TAlert {
  return {
    ...row,
    driftEvent: { ...row.driftEvent, estimatedRevenueImpact: row.driftEvent.estimatedRevenueImpact.toFixed(2) },
    feedback: row.feedback.map((f) => ({
      ...f,
      recoveredAmount: f.recoveredAmount?.toFixed(2) ?? null,
      recoveredOn: f.recoveredOn?.toISOString().slice(0, 10) ?? null,
    })),
  };
}

const ZBool = z.enum(["true", "false"]).transform((v) => v === "true");

export const ZAlertFilters = z.object({
  status: ZAlertStatus.optional(),
  ruleId: z.uuid().optional(),
  driftEventId: z.uuid().optional(),
  payerId: z.uuid().optional(),
  cptGroup: z.string().max(40).optional(),
  driftType: ZDriftType.optional(),
  suppressed: ZBool.optional(),
  createdFrom: z.coerce.date().optional(),
  createdTo: z.coerce.date().optional(),
});

export const ZFeedbackInput = z.strictObject({
  id: z.uuid(),
  verdict: ZFeedbackVerdict,
  reasonCodes: z.array(z.string().trim().min(1).max(40)).max(10).default([]),
  recoveredAmount: z
    .union([z.number().min(0), z.string().regex(/^\d{1,10}(\.\d{1,2})?$/)])
    .transform(String)
    .nullable()
    .optional(),
  recoveredOn: z.iso.date().nullable().optional(),
  notes: z.string().max(4000).nullable().optional(),
});

export const BULK_ACKNOWLEDGE_LIMIT = 100;
export const ZBulkAcknowledgeInput = z.strictObject({ ids: z.array(z.uuid()).min(1).max(BULK_ACKNOWLEDGE_LIMIT) });
