import { Prisma } from "@/generated/prisma/client";

/**
 * Expected payment of a claim line, in SQL, the one definition detection and the worklist share:
 * the rate of fee_schedule_effective_rates for the line's payer and code (claim lines carry no
 * modifier yet, so the rate without one) on its service date, times its units, in cents.
 * Variance = expected - allowed. A line with no applicable rate has no expected amount ("no
 * contract") and is never underpaid; a denied line is a denial, never an underpayment.
 *
 * Underpaid: allowed below expected by more than the tolerance, the larger of 1 % of expected
 * and $1 (so rounding and cents of coinsurance arithmetic are never flagged).
 */
export const UNDERPAYMENT_TOLERANCE = { share: 0.01, dollars: 1 } as const;

/** `rates` alias: join condition of a claim line `l` to its effective rate `r`. */
export const RATE_JOIN = Prisma.sql`r.customer_id = l.customer_id AND r.payer_id = l.payer_id AND r.cpt_code = l.cpt_code
  AND r.modifier = '' AND l.service_date >= r.valid_from AND l.service_date < r.valid_until`;

/** expected amount of line `l` under rate `r`, rounded to cents. */
export const EXPECTED = Prisma.sql`round(r.rate * l.units, 2)`;

/** The line is paid (not denied) with a known allowed amount: only such lines count. */
export const COMPARABLE = Prisma.sql`l.outcome <> 'DENIED' AND l.allowed_amount IS NOT NULL`;

/** allowed below expected beyond the tolerance (use with COMPARABLE). */
export function underpaidSql(expected: Prisma.Sql, allowed: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${allowed} < ${expected} - greatest(${expected} * ${UNDERPAYMENT_TOLERANCE.share}::numeric, ${UNDERPAYMENT_TOLERANCE.dollars}::numeric)`;
}
