import { db } from "@/server/db/client";
import { tenantDb } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { csvRow } from "@/server/services/exports/csv";
import type { Prisma } from "@/generated/prisma/client";
import { ZUnderpaymentFilters, toUnderpayment, underpaymentSelect, underpaymentWhere } from "./list-underpayments";

type TUnderpaymentRow = Prisma.UnderpaymentGetPayload<{ select: typeof underpaymentSelect }>;

/**
 * The worklist as CSV (same filters as the list), newest service date first, at most
 * MAX_EXPORT_ROWS rows. Claim ids with dates of service are PHI: ANALYST and up, audited.
 */

export const MAX_UNDERPAYMENT_EXPORT_ROWS = 100_000;
const PAGE = 2000;
const HEADER = [
  "submitter_claim_id",
  "line_number",
  "payer",
  "cpt_code",
  "cpt_group",
  "service_date",
  "units",
  "rate",
  "rate_modifier",
  "expected_amount",
  "allowed_amount",
  "paid_amount",
  "variance",
  "status",
  "assignee",
  "recovered_amount",
  "recovered_at",
];

export async function exportUnderpaymentsCsv(customerId: string, actor: TActor, query: URLSearchParams): Promise<{ csv: string; rowCount: number }> {
  const parsed = ZUnderpaymentFilters.strict().safeParse(Object.fromEntries(query));
  if (!parsed.success) {
    throw new AppError("BAD_REQUEST", "Invalid filters.", {
      errors: parsed.error.issues.map((issue) => ({ path: issue.path.join(".") || "query", message: issue.message })),
    });
  }
  const scoped = tenantDb(customerId);
  const where = underpaymentWhere(parsed.data);
  const lines = [csvRow(HEADER)];
  let after: { serviceDate: Date; id: string } | null = null;
  let rowCount = 0;
  while (rowCount < MAX_UNDERPAYMENT_EXPORT_ROWS) {
    const cursor: Record<string, unknown> | null = after
      ? { OR: [{ serviceDate: { lt: after.serviceDate } }, { serviceDate: after.serviceDate, id: { lt: after.id } }] }
      : null;
    const rows: TUnderpaymentRow[] = await scoped.underpayment.findMany({
      where: cursor ? { AND: [where, cursor] } : where,
      orderBy: [{ serviceDate: "desc" }, { id: "desc" }],
      take: Math.min(PAGE, MAX_UNDERPAYMENT_EXPORT_ROWS - rowCount),
      select: underpaymentSelect,
    });
    for (const row of rows) {
      const u = toUnderpayment(row);
      lines.push(
        csvRow([
          u.submitterClaimId,
          u.lineNumber,
          u.payer.name,
          u.cptCode,
          u.cptGroup,
          u.serviceDate,
          u.units,
          u.rate,
          u.rateModifier,
          u.expectedAmount,
          u.allowedAmount,
          u.paidAmount,
          u.variance,
          u.status,
          u.assignee?.email ?? "",
          u.recoveredAmount,
          u.recoveredAt,
        ]),
      );
    }
    rowCount += rows.length;
    const last: TUnderpaymentRow | undefined = rows[rows.length - 1];
    if (!last || rows.length < PAGE) break;
    after = { serviceDate: last.serviceDate, id: last.id };
  }
  await auditAction(db(), actor, customerId, "underpayment.export", { type: "underpayment" }, { rowCount, filters: Object.keys(parsed.data) });
  return { csv: lines.join(""), rowCount };
}
