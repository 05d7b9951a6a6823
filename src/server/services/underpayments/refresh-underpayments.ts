import { Prisma } from "@/generated/prisma/client";
import { withTenantTransaction } from "@/server/db/tenant-scope";
import { underpaidSql } from "./expected-payment-sql";
import { contractedLinesSql, lineScope, openUnderpaymentsSql, type TRefreshScope } from "./open-underpayments-sql";

export type { TRefreshScope } from "./open-underpayments-sql";

/**
 * Brings the underpayment worklist and its recovery ledger up to date with the claim lines and
 * fee schedules, for the lines in scope (one upload's lines, some codes, or the whole tenant):
 *
 * - a line allowed below expected beyond the tolerance gets an OPEN row (or, when it has one that
 *   is still OPEN or APPEALED, its amounts are refreshed);
 * - an OPEN or APPEALED row whose line a later 835 correction (or reversal and correction) raised
 *   to within the tolerance becomes RECOVERED, with the amount (allowed now - allowed when found)
 *   and today's date: the recovery ledger. A partial raise records the amount and stays open;
 * - an OPEN, unassigned row whose line is no longer underpaid without any raise (the contract
 *   changed) is removed: nobody worked it and it is no longer owed.
 * RECOVERED and WRITTEN_OFF rows are never reopened here.
 *
 * Lock order: a per-tenant advisory lock (refreshes of one tenant queue), then the existing rows
 * in ascending id (underpayments in src/server/db/locks.ts), as the bulk status change takes them.
 */

export interface TRefreshResult {
  opened: number;
  refreshed: number;
  recovered: number;
  removed: number;
}

const LOCK_KEY = "underpayments:";

export function refreshUnderpayments(customerId: string, scope: TRefreshScope = {}): Promise<TRefreshResult> {
  return withTenantTransaction(
    customerId,
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${LOCK_KEY + customerId}, 0))`;
      const inScope = lineScope(scope);
      const lines = contractedLinesSql(customerId, scope);

      await tx.$queryRaw`
        SELECT u.id FROM underpayments u JOIN claim_lines l
          ON l.customer_id = u.customer_id AND l.submitter_claim_id = u.submitter_claim_id AND l.line_number = u.line_number
        WHERE u.customer_id = ${customerId}::uuid AND ${inScope}
        ORDER BY u.id FOR UPDATE OF u`;

      const upserted = await tx.$queryRaw<Array<{ inserted: boolean }>>(openUnderpaymentsSql(customerId, scope));

      const settled = await tx.$queryRaw<Array<{ recovered: boolean }>>`
        WITH lines AS (${lines})
        UPDATE underpayments u SET
          status = CASE WHEN l.allowed_amount > u.original_allowed_amount THEN 'RECOVERED'::underpayment_status ELSE u.status END,
          recovered_amount = greatest(0, l.allowed_amount - u.original_allowed_amount),
          recovered_at = CASE WHEN l.allowed_amount > u.original_allowed_amount THEN current_date ELSE u.recovered_at END,
          status_changed_at = CASE WHEN l.allowed_amount > u.original_allowed_amount THEN now() ELSE u.status_changed_at END,
          status_changed_by_id = CASE WHEN l.allowed_amount > u.original_allowed_amount THEN NULL ELSE u.status_changed_by_id END,
          expected_amount = l.expected, allowed_amount = l.allowed_amount, paid_amount = l.paid_amount,
          variance = l.expected - l.allowed_amount, updated_at = now()
        FROM lines l
        WHERE u.customer_id = ${customerId}::uuid AND u.submitter_claim_id = l.submitter_claim_id AND u.line_number = l.line_number
          AND u.status IN ('OPEN', 'APPEALED') AND l.comparable AND NOT l.underpaid
        RETURNING (u.status = 'RECOVERED') AS recovered`;

      const removed = await tx.$executeRaw`
        DELETE FROM underpayments u
        WHERE u.customer_id = ${customerId}::uuid AND u.status = 'OPEN' AND u.assignee_id IS NULL
          AND u.recovered_amount = 0 AND u.allowed_amount <= u.original_allowed_amount
          AND NOT ${underpaidSql(Prisma.sql`u.expected_amount`, Prisma.sql`u.allowed_amount`)}
          AND EXISTS (SELECT 1 FROM claim_lines l WHERE l.customer_id = u.customer_id AND l.submitter_claim_id = u.submitter_claim_id
                      AND l.line_number = u.line_number AND ${inScope})`;

      const recovered = settled.filter((row) => row.recovered).length;
      return {
        opened: upserted.filter((row) => row.inserted).length,
        refreshed: upserted.filter((row) => !row.inserted).length + settled.length - recovered,
        recovered,
        removed,
      };
    },
    { timeoutMs: 300_000 },
  );
}
