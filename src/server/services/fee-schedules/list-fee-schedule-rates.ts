import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { tenantDb } from "@/server/db/tenant-scope";
import { paginate, type TListParams } from "@/server/lib/pagination";

/**
 * Fee schedule rates as uploaded, newest upload first, superseded ones included (history): a
 * row is SUPERSEDED once a later upload overlapped its dates for the same payer, code and
 * modifier (the later rate applies where they overlap).
 */

export const ZFeeScheduleRate = z.object({
  id: z.uuid(),
  feeSchedule: z.object({ id: z.uuid(), version: z.number().int(), filename: z.string(), createdAt: z.date() }),
  lineNumber: z.number().int().describe("The row's line in its CSV file."),
  payer: z.object({ id: z.uuid(), name: z.string() }),
  cptCode: z.string(),
  modifier: z.string().nullable().describe("null: the rate applies to the code without a modifier."),
  rate: z.string().describe("Contracted amount per unit, decimal string."),
  effectiveFrom: z.string().describe("YYYY-MM-DD, first service date."),
  effectiveTo: z.string().nullable().describe("YYYY-MM-DD, last service date; null while open-ended."),
  status: z.enum(["CURRENT", "SUPERSEDED"]),
  supersededBy: z.object({ id: z.uuid(), version: z.number().int() }).nullable(),
  supersededAt: z.date().nullable(),
  createdAt: z.date(),
});
export type TFeeScheduleRate = z.infer<typeof ZFeeScheduleRate>;

export const ZFeeScheduleFilters = z.object({
  payerId: z.uuid().optional(),
  cptCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[0-9A-Z]{5}$/, "five letters or digits")
    .optional(),
  feeScheduleId: z.uuid().optional(),
  status: z.enum(["CURRENT", "SUPERSEDED"]).optional().describe("CURRENT: not overlapped by a later upload; SUPERSEDED: history."),
});

const rateSelect = {
  id: true,
  lineNumber: true,
  cptCode: true,
  modifier: true,
  rate: true,
  effectiveFrom: true,
  effectiveTo: true,
  supersededAt: true,
  createdAt: true,
  payer: { select: { id: true, name: true } },
  feeSchedule: { select: { id: true, version: true, filename: true, createdAt: true } },
  supersededBy: { select: { id: true, version: true } },
} satisfies Prisma.FeeScheduleRateSelect;

type TRateRow = Prisma.FeeScheduleRateGetPayload<{ select: typeof rateSelect }>;

const day = (date: Date) => date.toISOString().slice(0, 10);

function toRate(row: TRateRow): TFeeScheduleRate {
  return {
    id: row.id,
    feeSchedule: row.feeSchedule,
    lineNumber: row.lineNumber,
    payer: row.payer,
    cptCode: row.cptCode,
    modifier: row.modifier === "" ? null : row.modifier,
    rate: row.rate.toFixed(2),
    effectiveFrom: day(row.effectiveFrom),
    effectiveTo: row.effectiveTo ? day(row.effectiveTo) : null,
    status: row.supersededBy ? "SUPERSEDED" : "CURRENT",
    supersededBy: row.supersededBy,
    supersededAt: row.supersededAt,
    createdAt: row.createdAt,
  };
}

export async function listFeeScheduleRates(customerId: string, params: TListParams & z.infer<typeof ZFeeScheduleFilters>) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.payerId) where.payerId = params.payerId;
  if (params.cptCode) where.cptCode = params.cptCode;
  if (params.feeScheduleId) where.feeScheduleId = params.feeScheduleId;
  if (params.status === "CURRENT") where.supersededById = null;
  if (params.status === "SUPERSEDED") where.supersededById = { not: null };
  if (params.search)
    where.cptCode = {
      startsWith: params.search
        .trim()
        .toUpperCase()
        .replace(/[\\%_]/g, "\\$&"),
    };
  const result = await paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp", cptCode: "text" }, fallback: "-createdAt" },
    findMany: (args) => scoped.feeScheduleRate.findMany({ ...args, select: rateSelect }),
    count: (args) => scoped.feeScheduleRate.count(args),
  });
  return { ...result, items: result.items.map(toRate) };
}
