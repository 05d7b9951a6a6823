import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/server/db/client";
import { tenantDb } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";

/**
 * Claim lines are PHI (PRODUCT.md §1): ANALYST and up, and every read is audited with ids and
 * counts only — which filters were used, never their values, never claim contents.
 */

const ZDay = z.iso.date().describe("YYYY-MM-DD");

export const ZClaimFilters = z.object({
  payerId: z.uuid().optional(),
  cptGroup: z.string().max(32).optional(),
  cptCode: z.string().trim().toUpperCase().max(5).optional(),
  outcome: z.enum(["PAID", "DENIED", "PARTIAL", "OTHER"]).optional(),
  uploadId: z.uuid().optional(),
  submitterClaimId: z.string().trim().max(64).optional(),
  serviceDateFrom: ZDay.optional(),
  serviceDateTo: ZDay.optional(),
  submittedFrom: ZDay.optional(),
  submittedTo: ZDay.optional(),
  decidedFrom: ZDay.optional(),
  decidedTo: ZDay.optional(),
});
export type TClaimFilters = z.infer<typeof ZClaimFilters>;

const ZMoney = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .describe('Decimal string with two places, e.g. "120.00".');

export const ZClaimLine = z.object({
  id: z.uuid(),
  submitterClaimId: z.string(),
  lineNumber: z.number().int(),
  payerClaimNumber: z.string().nullable(),
  payer: z.object({ id: z.uuid(), name: z.string() }),
  cptCode: z.string().nullable().describe("Null on a claim-level line (an 835 claim adjudicated without service lines; cptGroup CLAIM_LEVEL)."),
  modifier: z.string().describe('CPT/HCPCS modifiers in billed order joined by ":" ("26", "25:59"; up to four); "" when the line has none.'),
  submittedCptCode: z.string().nullable().describe("835 SVC06: the procedure as submitted, when the payer adjudicated another code."),
  facilityType: z.string().nullable().describe("835 CLP08: facility type code, when the remittance gave one."),
  cptGroup: z.string(),
  units: z.string().describe("Units of service as a decimal string."),
  serviceDate: ZDay,
  submittedAt: ZDay.nullable().describe("Null when the remittance's dates contradict each other; the line's decision time is left out of statistics."),
  decidedAt: ZDay,
  paidAt: ZDay.nullable(),
  billedAmount: ZMoney,
  allowedAmount: ZMoney.nullable(),
  paidAmount: ZMoney.nullable(),
  outcome: z.enum(["PAID", "DENIED", "PARTIAL", "OTHER"]),
  denialReason: z.object({ group: z.string(), code: z.string() }).nullable(),
  remarkCodes: z.array(z.string()),
  uploadId: z.uuid().nullable(),
  version: z.number().int().describe("1 when first stored; +1 on every correction or reversal."),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TClaimLine = z.infer<typeof ZClaimLine>;

// Never the patient account hash.
const claimSelect = {
  id: true,
  submitterClaimId: true,
  lineNumber: true,
  payerClaimNumber: true,
  payer: { select: { id: true, name: true } },
  cptCode: true,
  modifier: true,
  submittedCptCode: true,
  facilityType: true,
  cptGroup: true,
  units: true,
  serviceDate: true,
  submittedAt: true,
  decidedAt: true,
  paidAt: true,
  billedAmount: true,
  allowedAmount: true,
  paidAmount: true,
  outcome: true,
  denialGroup: true,
  denialCode: true,
  remarkCodes: true,
  uploadId: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.ClaimLineSelect;

type TClaimRow = Prisma.ClaimLineGetPayload<{ select: typeof claimSelect }>;

const day = (date: Date) => date.toISOString().slice(0, 10);
const money = (value: Prisma.Decimal | null) => (value === null ? null : value.toFixed(2));

function toClaimLine(row: TClaimRow): TClaimLine {
  const { denialGroup, denialCode, ...rest } = row;
  return {
    ...rest,
    units: row.units.toFixed(2),
    serviceDate: day(row.serviceDate),
    submittedAt: row.submittedAt ? day(row.submittedAt) : null,
    decidedAt: day(row.decidedAt),
    paidAt: row.paidAt ? day(row.paidAt) : null,
    billedAmount: row.billedAmount.toFixed(2),
    allowedAmount: money(row.allowedAmount),
    paidAmount: money(row.paidAmount),
    denialReason: denialGroup && denialCode ? { group: denialGroup, code: denialCode } : null,
  };
}

function range(from: string | undefined, to: string | undefined) {
  if (!from && !to) return undefined;
  return { ...(from ? { gte: new Date(`${from}T00:00:00Z`) } : {}), ...(to ? { lte: new Date(`${to}T00:00:00Z`) } : {}) };
}

const SORT = {
  keys: { decidedAt: "timestamp", serviceDate: "timestamp", submittedAt: "timestamp", createdAt: "timestamp", updatedAt: "timestamp" },
  fallback: "-decidedAt",
} as const;

export async function listClaims(customerId: string, actor: TActor, params: TListParams & TClaimFilters) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.payerId) where.payerId = params.payerId;
  if (params.cptGroup) where.cptGroup = params.cptGroup;
  if (params.cptCode) where.cptCode = params.cptCode;
  if (params.outcome) where.outcome = params.outcome;
  if (params.uploadId) where.uploadId = params.uploadId;
  if (params.submitterClaimId) where.submitterClaimId = params.submitterClaimId;
  const dates = {
    serviceDate: range(params.serviceDateFrom, params.serviceDateTo),
    submittedAt: range(params.submittedFrom, params.submittedTo),
    decidedAt: range(params.decidedFrom, params.decidedTo),
  };
  for (const [field, condition] of Object.entries(dates)) if (condition) where[field] = condition;
  if (params.search) {
    // Claim numbers may hold % and _ (they are the submitter's own text): matched literally.
    const prefix = likeLiteral(params.search);
    where.OR = [{ submitterClaimId: { startsWith: prefix } }, { payerClaimNumber: { startsWith: prefix } }];
  }
  const result = await paginate({
    params,
    where,
    sort: SORT,
    findMany: (args) => scoped.claimLine.findMany({ ...args, select: claimSelect }),
    count: (args) => scoped.claimLine.count(args),
  });
  const filters = Object.keys(params).filter(
    (key) => params[key as keyof typeof params] !== undefined && !["limit", "cursor", "page", "pageSize"].includes(key),
  );
  await auditAction(db(), actor, customerId, "claim.list", { type: "claim_line" }, { returned: result.items.length, filters });
  return { ...result, items: result.items.map(toClaimLine) };
}

export async function getClaim(customerId: string, actor: TActor, id: string): Promise<TClaimLine> {
  const scoped = tenantDb(customerId);
  const row = await scoped.claimLine.findFirst({ where: { id }, select: claimSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such claim line.");
  await auditAction(db(), actor, customerId, "claim.read", { type: "claim_line", id });
  return toClaimLine(row);
}
