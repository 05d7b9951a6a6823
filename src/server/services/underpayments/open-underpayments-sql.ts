import { Prisma } from "@/generated/prisma/client";
import { COMPARABLE, contractRatesCte, EXPECTED, RATE_JOIN, underpaidSql } from "./expected-payment-sql";

/** The worklist's SQL, apart from any client so the demo seed can run it on its own connection. */

export type TRefreshScope = { uploadId?: string; cptCodes?: readonly string[] };

export function lineScope(scope: TRefreshScope): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (scope.uploadId) parts.push(Prisma.sql`l.upload_id = ${scope.uploadId}::uuid`);
  if (scope.cptCodes) parts.push(Prisma.sql`l.cpt_code = ANY(${[...scope.cptCodes]}::text[])`);
  return parts.length === 0 ? Prisma.sql`TRUE` : Prisma.join(parts, " AND ");
}

/** Lines in scope with their expected amount (the contracted ones only). */
export function contractedLinesSql(customerId: string, scope: TRefreshScope): Prisma.Sql {
  // The tenant's contract rates first, materialised (a few hundred rows): joined as a hash
  // table, never re-evaluated per claim line even when the planner has no statistics yet.
  return Prisma.sql`
    WITH ${contractRatesCte(customerId)}
    SELECT l.submitter_claim_id, l.line_number, l.payer_id, l.cpt_code, l.cpt_group, l.service_date, l.units,
           l.allowed_amount, l.paid_amount, r.rate_id, ${EXPECTED} AS expected,
           (${COMPARABLE}) AS comparable, (${COMPARABLE} AND ${underpaidSql(EXPECTED, Prisma.sql`l.allowed_amount`)}) AS underpaid
    FROM claim_lines l JOIN contract_rates r ON ${RATE_JOIN}
    WHERE l.customer_id = ${customerId}::uuid AND ${lineScope(scope)}`;
}

/**
 * Opens a row for every underpaid line in scope without one and refreshes the amounts of OPEN and
 * APPEALED rows (recording a partial recovery); RETURNING says which rows are new. The demo seed
 * runs it too, on its own connection, after loading a tenant.
 */
export function openUnderpaymentsSql(customerId: string, scope: TRefreshScope = {}): Prisma.Sql {
  return Prisma.sql`
    WITH lines AS (${contractedLinesSql(customerId, scope)})
    INSERT INTO underpayments AS u (customer_id, submitter_claim_id, line_number, payer_id, cpt_code, cpt_group, service_date, units,
                                    fee_schedule_rate_id, expected_amount, original_allowed_amount, allowed_amount, paid_amount, variance)
    SELECT ${customerId}::uuid, submitter_claim_id, line_number, payer_id, cpt_code, cpt_group, service_date, units,
           rate_id, expected, allowed_amount, allowed_amount, paid_amount, expected - allowed_amount
    FROM lines WHERE underpaid
    ON CONFLICT ON CONSTRAINT underpayments_customer_line_key DO UPDATE SET
      payer_id = EXCLUDED.payer_id, cpt_code = EXCLUDED.cpt_code, cpt_group = EXCLUDED.cpt_group,
      service_date = EXCLUDED.service_date, units = EXCLUDED.units, fee_schedule_rate_id = EXCLUDED.fee_schedule_rate_id,
      expected_amount = EXCLUDED.expected_amount, allowed_amount = EXCLUDED.allowed_amount, paid_amount = EXCLUDED.paid_amount,
      variance = EXCLUDED.variance,
      recovered_amount = greatest(0, EXCLUDED.allowed_amount - u.original_allowed_amount),
      updated_at = now()
    WHERE u.status IN ('OPEN', 'APPEALED')
    RETURNING (xmax = 0) AS inserted`;
}
