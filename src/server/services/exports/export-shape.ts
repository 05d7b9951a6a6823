import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { ZPayerSummaryInput } from "@/server/services/payer-summary/payer-summary-shape";

/** CSV exports (POST /api/v1/exports): a background job writes the file; GET …/download streams it. */

const ZDay = z.iso.date().describe("YYYY-MM-DD");
const ZDriftType = z.enum(["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"]);

/** Per kind, exactly the params it takes (the job re-checks stored params against this). */
export const ZExportSpec = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("PAYER_SCORECARD"),
    params: ZPayerSummaryInput.pick({ from: true, to: true, ordering: true }).strict().default({}),
  }),
  z.strictObject({
    kind: z.literal("DRIFT_EVENTS"),
    params: z
      .strictObject({
        status: z.enum(["ACTIVE", "RESOLVED"]).optional(),
        driftType: ZDriftType.optional(),
        payerId: z.uuid().optional(),
        cptGroup: z.string().max(32).optional(),
      })
      .default({}),
  }),
  z.strictObject({
    kind: z.literal("ALERTS"),
    params: z
      .strictObject({
        status: z.enum(["PENDING", "SENT", "FAILED", "ACKNOWLEDGED", "RESOLVED"]).optional(),
        createdFrom: ZDay.optional(),
        createdTo: ZDay.optional(),
      })
      .default({}),
  }),
  z.strictObject({
    kind: z.literal("CLAIMS"),
    params: z
      .strictObject({
        decidedFrom: ZDay.optional(),
        decidedTo: ZDay.optional(),
        payerId: z.uuid().optional(),
      })
      .default({}),
  }),
]);

/**
 * The request body: one object (the REST façade needs an object schema) whose `params` are
 * checked against the kind's own list by the refinement, so a field of another kind is a 400.
 */
export const ZCreateExportInput = z
  .strictObject({
    kind: z.enum(["PAYER_SCORECARD", "DRIFT_EVENTS", "ALERTS", "CLAIMS"]),
    params: z
      .strictObject({
        from: ZDay.optional().describe("PAYER_SCORECARD: first decision day (default 89 days before `to`)."),
        to: ZDay.optional().describe("PAYER_SCORECARD: last decision day (default today)."),
        ordering: z.string().max(64).optional().describe("PAYER_SCORECARD: as in GET /claims/payer-summary."),
        status: z.string().max(32).optional().describe("DRIFT_EVENTS: ACTIVE or RESOLVED. ALERTS: PENDING, SENT, FAILED, ACKNOWLEDGED or RESOLVED."),
        driftType: ZDriftType.optional().describe("DRIFT_EVENTS."),
        payerId: z.uuid().optional().describe("DRIFT_EVENTS, CLAIMS."),
        cptGroup: z.string().max(32).optional().describe("DRIFT_EVENTS."),
        createdFrom: ZDay.optional().describe("ALERTS."),
        createdTo: ZDay.optional().describe("ALERTS."),
        decidedFrom: ZDay.optional().describe("CLAIMS (default 90 days before decidedTo)."),
        decidedTo: ZDay.optional().describe("CLAIMS (default today)."),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    const parsed = ZExportSpec.safeParse({ kind: value.kind, params: value.params ?? {} });
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({
        code: "custom",
        path: issue.path,
        message: issue.code === "unrecognized_keys" ? `not a parameter of ${value.kind} exports: ${issue.keys.join(", ")}` : issue.message,
      });
    }
  });
export type TCreateExportRequest = z.infer<typeof ZCreateExportInput>;

export type TCreateExportInput = z.infer<typeof ZExportSpec>;
export type TExportKind = TCreateExportInput["kind"];

export const ZExport = z.object({
  id: z.uuid(),
  kind: z.enum(["PAYER_SCORECARD", "DRIFT_EVENTS", "ALERTS", "CLAIMS"]),
  status: z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]),
  params: z.record(z.string(), z.unknown()),
  progress: z.number().min(0).max(1).describe("0 to 1, written by the job as it goes."),
  rowCount: z.number().int(),
  containsPhi: z.boolean().describe("Claim-line exports hold PHI: downloading one is audited."),
  error: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  downloadUrl: z.string().nullable().describe("Set once the export SUCCEEDED: GET it (ANALYST) for the CSV."),
});
export type TExport = z.infer<typeof ZExport>;

export const exportSelect = {
  id: true,
  kind: true,
  status: true,
  params: true,
  progress: true,
  rowCount: true,
  containsPhi: true,
  error: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
} satisfies Prisma.ExportSelect;

type TExportRow = Prisma.ExportGetPayload<{ select: typeof exportSelect }>;

export function toExport(row: TExportRow): TExport {
  return {
    ...row,
    params: (row.params ?? {}) as Record<string, unknown>,
    downloadUrl: row.status === "SUCCEEDED" ? `/api/v1/exports/${row.id}/download` : null,
  };
}

export function exportFilename(kind: TExportKind, createdAt: Date): string {
  return `driftline-${kind.toLowerCase().replace(/_/g, "-")}-${createdAt.toISOString().slice(0, 10)}.csv`;
}
