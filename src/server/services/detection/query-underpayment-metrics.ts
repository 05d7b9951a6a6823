import { Prisma } from "@/generated/prisma/client";
import { COMPARABLE, contractRatesCte, EXPECTED, RATE_JOIN, underpaidSql } from "@/server/services/underpayments/expected-payment-sql";
import type { TWindows } from "./compute-windows";

/**
 * UNDERPAYMENT's numbers per (payer, CPT group, window), in one statement: the contracted lines
 * (paid or partly paid, allowed amount known, a fee schedule rate on the service date), how many
 * were allowed below expected beyond the tolerance, and the sum and sum of squares of the
 * variance (expected - allowed) for the mean variance per line. Only lines whose payer and code
 * have a rate are read (a hash join against the small effective-rate set), so a tenant without
 * fee schedules pays next to nothing here.
 */

export interface TUnderpaymentRow {
  payerId: string;
  cptGroup: string;
  current: boolean;
  lines: number;
  underpaid: number;
  varianceSum: number;
  varianceSumSq: number;
}

export function underpaymentMetricsSql(customerId: string, windows: TWindows): Prisma.Sql {
  return Prisma.sql`
WITH ${contractRatesCte(customerId)},
contracted AS (
  SELECT l.payer_id, l.cpt_group, l.decided_at >= ${windows.currentStart}::date AS cur,
         ${EXPECTED} AS expected, l.allowed_amount
  FROM claim_lines l JOIN contract_rates r ON ${RATE_JOIN}
  WHERE l.customer_id = ${customerId}::uuid
    AND l.decided_at >= ${windows.baselineStart}::date AND l.decided_at <= ${windows.currentEnd}::date
    AND ${COMPARABLE}
)
SELECT coalesce(json_agg(u), '[]')::text AS rows FROM (
  SELECT payer_id AS "payerId", cpt_group AS "cptGroup", cur AS "current",
         count(*) AS lines,
         count(*) FILTER (WHERE ${underpaidSql(Prisma.sql`expected`, Prisma.sql`allowed_amount`)}) AS underpaid,
         coalesce(sum(expected - allowed_amount), 0)::float8 AS "varianceSum",
         coalesce(sum((expected - allowed_amount) ^ 2), 0)::float8 AS "varianceSumSq"
  FROM contracted
  GROUP BY payer_id, cpt_group, cur
) u`;
}
