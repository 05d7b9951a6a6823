import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/server/db/client";
import { tenantDb } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { paginate, type TListParams } from "@/server/lib/pagination";

/**
 * The underpayment worklist: one row per claim line allowed below its contracted expected amount
 * beyond the tolerance (refresh-underpayments.ts keeps it current), with its status, assignee
 * and recovery ledger. Amounts are decimal strings. Claim ids with dates of service are PHI:
 * ANALYST and up, and every read is audited (ids and counts only), as claim reads are.
 */

export const UNDERPAYMENT_STATUSES = ["OPEN", "APPEALED", "RECOVERED", "WRITTEN_OFF"] as const;
export const ZUnderpaymentStatus = z.enum(UNDERPAYMENT_STATUSES);

export const ZUnderpayment = z.object({
  id: z.uuid(),
  submitterClaimId: z.string(),
  lineNumber: z.number().int(),
  payer: z.object({ id: z.uuid(), name: z.string() }),
  cptCode: z.string(),
  cptGroup: z.string(),
  serviceDate: z.string().describe("YYYY-MM-DD"),
  units: z.string(),
  rate: z.string().describe("Contracted rate per unit applied (fee schedule)."),
  rateModifier: z
    .string()
    .describe('Modifier of the rate applied: the first of the line\'s modifiers with a rate on its service date, else "" (the rate without a modifier).'),
  expectedAmount: z.string().describe("rate × units."),
  allowedAmount: z.string().describe("As the payer allows it now (follows 835 corrections)."),
  originalAllowedAmount: z.string().describe("As allowed when the underpayment was found."),
  paidAmount: z.string().nullable(),
  variance: z.string().describe("expectedAmount - allowedAmount."),
  status: ZUnderpaymentStatus,
  assignee: z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() }).nullable(),
  recoveredAmount: z.string().describe("Recovery ledger: allowed now - allowed when found, once a correction raised it."),
  recoveredAt: z.string().nullable().describe("YYYY-MM-DD the recovery was recorded."),
  feeScheduleId: z.uuid(),
  statusChangedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TUnderpayment = z.infer<typeof ZUnderpayment>;

const ZDay = z.iso.date();
export const ZUnderpaymentFilters = z.object({
  payerId: z.uuid().optional(),
  cptCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{5}$/, "five letters or digits")
    .optional(),
  cptGroup: z.string().trim().max(32).optional(),
  status: ZUnderpaymentStatus.optional(),
  assigneeId: z.uuid().optional(),
  serviceFrom: ZDay.optional().describe("Service date on or after (YYYY-MM-DD)."),
  serviceTo: ZDay.optional().describe("Service date on or before (YYYY-MM-DD)."),
});
export type TUnderpaymentFilters = z.infer<typeof ZUnderpaymentFilters>;

export const underpaymentSelect = {
  id: true,
  submitterClaimId: true,
  lineNumber: true,
  cptCode: true,
  cptGroup: true,
  serviceDate: true,
  units: true,
  expectedAmount: true,
  allowedAmount: true,
  originalAllowedAmount: true,
  paidAmount: true,
  variance: true,
  status: true,
  recoveredAmount: true,
  recoveredAt: true,
  statusChangedAt: true,
  createdAt: true,
  updatedAt: true,
  payer: { select: { id: true, name: true } },
  assignee: { select: { id: true, email: true, name: true } },
  feeScheduleRate: { select: { rate: true, modifier: true, feeScheduleId: true } },
} satisfies Prisma.UnderpaymentSelect;

type TRow = Prisma.UnderpaymentGetPayload<{ select: typeof underpaymentSelect }>;

const day = (date: Date) => date.toISOString().slice(0, 10);
const atDay = (text: string) => new Date(`${text}T00:00:00Z`);

export function toUnderpayment(row: TRow): TUnderpayment {
  return {
    id: row.id,
    submitterClaimId: row.submitterClaimId,
    lineNumber: row.lineNumber,
    payer: row.payer,
    cptCode: row.cptCode,
    cptGroup: row.cptGroup,
    serviceDate: day(row.serviceDate),
    units: row.units.toFixed(2),
    rate: row.feeScheduleRate.rate.toFixed(2),
    rateModifier: row.feeScheduleRate.modifier,
    expectedAmount: row.expectedAmount.toFixed(2),
    allowedAmount: row.allowedAmount.toFixed(2),
    originalAllowedAmount: row.originalAllowedAmount.toFixed(2),
    paidAmount: row.paidAmount === null ? null : row.paidAmount.toFixed(2),
    variance: row.variance.toFixed(2),
    status: row.status,
    assignee: row.assignee,
    recoveredAmount: row.recoveredAmount.toFixed(2),
    recoveredAt: row.recoveredAt ? day(row.recoveredAt) : null,
    feeScheduleId: row.feeScheduleRate.feeScheduleId,
    statusChangedAt: row.statusChangedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function underpaymentWhere(filters: TUnderpaymentFilters & { search?: string }): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filters.payerId) where.payerId = filters.payerId;
  if (filters.cptCode) where.cptCode = filters.cptCode;
  if (filters.cptGroup) where.cptGroup = filters.cptGroup;
  if (filters.status) where.status = filters.status;
  if (filters.assigneeId) where.assigneeId = filters.assigneeId;
  if (filters.serviceFrom || filters.serviceTo) {
    where.serviceDate = {
      ...(filters.serviceFrom ? { gte: atDay(filters.serviceFrom) } : {}),
      ...(filters.serviceTo ? { lte: atDay(filters.serviceTo) } : {}),
    };
  }
  if (filters.search) where.submitterClaimId = { startsWith: filters.search.replace(/[\\%_]/g, "\\$&") };
  return where;
}

export async function listUnderpayments(customerId: string, params: TListParams & TUnderpaymentFilters, actor?: TActor) {
  const scoped = tenantDb(customerId);
  const result = await paginate({
    params,
    where: underpaymentWhere(params),
    sort: { keys: { serviceDate: "timestamp", createdAt: "timestamp", updatedAt: "timestamp" }, fallback: "-serviceDate" },
    findMany: (args) => scoped.underpayment.findMany({ ...args, select: underpaymentSelect }),
    count: (args) => scoped.underpayment.count(args),
  });
  if (actor) {
    // Filter names only: values (a claim id search) may themselves be PHI.
    const filters = Object.keys(params).filter(
      (key) => params[key as keyof typeof params] !== undefined && !["limit", "cursor", "page", "pageSize"].includes(key),
    );
    await auditAction(db(), actor, customerId, "underpayment.list", { type: "underpayment" }, { returned: result.items.length, filters });
  }
  return { ...result, items: result.items.map(toUnderpayment) };
}
