import { z } from "zod";

/** The dashboard resource (GET /api/v1/dashboard): overview numbers, trends and recent activity. */

const ZMoney = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .describe('Dollars as a decimal string with two places, e.g. "120.00".');

export const ZDashboardRun = z.object({
  id: z.uuid(),
  trigger: z.enum(["SCHEDULED", "MANUAL", "UPLOAD", "CLI"]),
  status: z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]),
  queuedAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  cellsTested: z.number().int(),
  eventsOpened: z.number().int(),
  eventsUpdated: z.number().int(),
  eventsResolved: z.number().int(),
});

export const ZDashboard = z.object({
  totals: z.object({
    claimLines: z.number().int().describe("Claim lines stored for this customer."),
    uploads: z.number().int(),
    activeDriftEvents: z.number().int(),
    revenueAtRisk: ZMoney.describe("Sum of the active drift events' estimated revenue impact, dollars per month."),
    pendingAlerts: z.number().int().describe("Alerts not yet acknowledged or resolved (PENDING, SENT or FAILED), suppressed ones excluded."),
    recoveredThisMonth: ZMoney.optional().describe(
      "Dollars recovered this calendar month (UTC): the underpayment recovery ledger, plus recovered amounts recorded in alert feedback on alerts of other drift types (feedback on UNDERPAYMENT alerts is the ledger's money, not counted twice).",
    ),
  }),
  lastRun: ZDashboardRun.nullable(),
  denialRateTrend: z
    .array(
      z.object({
        month: z
          .string()
          .regex(/^\d{4}-\d{2}$/)
          .describe("YYYY-MM"),
        decidedLines: z.number().int(),
        deniedLines: z.number().int(),
        denialRate: z.number().min(0).max(1).nullable().describe("denied / decided; null for a month without decided lines."),
      }),
    )
    .describe("The last 6 calendar months by decision date, oldest first (the current month is partial)."),
  topDriftingPayers: z
    .array(
      z.object({
        payer: z.object({ id: z.uuid(), name: z.string() }),
        activeEvents: z.number().int(),
        revenueAtRisk: ZMoney,
        maxSeverity: z.number().min(0).max(1),
        driftTypes: z.array(z.enum(["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"])),
      }),
    )
    .describe("Up to 5 payers with active drift events, by revenue at risk."),
  recentAlerts: z
    .array(
      z.object({
        id: z.uuid(),
        status: z.enum(["PENDING", "SENT", "FAILED", "ACKNOWLEDGED", "RESOLVED"]),
        suppressed: z.boolean(),
        createdAt: z.date(),
        rule: z.object({ id: z.uuid(), name: z.string() }),
        driftEvent: z.object({
          id: z.uuid(),
          payer: z.object({ id: z.uuid(), name: z.string() }),
          cptGroup: z.string(),
          driftType: z.enum(["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"]),
          severity: z.number(),
          estimatedRevenueImpact: ZMoney,
        }),
      }),
    )
    .describe("The 5 newest alerts."),
  computedAt: z
    .date()
    .describe(
      "When these figures were computed. They are cached briefly per customer; while a newer computation runs (after an upload, say), other requests get the last figures, at most one computation and 30 s old.",
    ),
});

export type TDashboard = z.infer<typeof ZDashboard>;
