import { z } from "zod";
import { tenantDb } from "@/server/db/tenant-scope";

/** Worklist totals and the recovery ledger's month, for the dashboard and the worklist page. */

export const ZUnderpaymentSummary = z.object({
  byStatus: z.array(z.object({ status: z.enum(["OPEN", "APPEALED", "RECOVERED", "WRITTEN_OFF"]), lines: z.number().int(), variance: z.string() })),
  recoveredThisMonth: z.string().describe("Sum of recovered amounts with a recovery date in the current calendar month (UTC)."),
  recoveredTotal: z.string(),
});
export type TUnderpaymentSummary = z.infer<typeof ZUnderpaymentSummary>;

export async function getUnderpaymentSummary(customerId: string, now: Date = new Date()): Promise<TUnderpaymentSummary> {
  const scoped = tenantDb(customerId);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const [byStatus, month, total] = await Promise.all([
    scoped.underpayment.groupBy({ by: ["status"], _count: { _all: true }, _sum: { variance: true }, orderBy: { status: "asc" } }),
    scoped.underpayment.aggregate({ where: { recoveredAt: { gte: monthStart } }, _sum: { recoveredAmount: true } }),
    scoped.underpayment.aggregate({ _sum: { recoveredAmount: true } }),
  ]);
  return {
    byStatus: byStatus.map((row) => ({ status: row.status, lines: row._count._all, variance: (row._sum.variance ?? 0).toFixed(2) })),
    recoveredThisMonth: (month._sum.recoveredAmount ?? 0).toFixed(2),
    recoveredTotal: (total._sum.recoveredAmount ?? 0).toFixed(2),
  };
}
