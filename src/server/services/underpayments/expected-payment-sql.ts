import { Prisma } from "@/generated/prisma/client";

/**
 * Expected payment of a claim line, in SQL, the one definition detection, the worklist and the
 * root cause share: the rate for the line's payer, code and modifier on its service date, times
 * its units, in cents. Variance = expected - allowed. A line with no applicable rate has no
 * expected amount ("no contract") and is never underpaid; a denied line is a denial, never an
 * underpayment.
 *
 * Modifiers: a line billed with modifiers (claim_lines.modifier, "26" or "59:26", up to four)
 * takes the rate for one of them when the schedule has one on the service date, else the rate
 * without a modifier; a line without modifiers takes the rate without one. When rates exist for
 * several of the line's modifiers, the earliest in billed order wins: coders put the pricing
 * modifier (26, TC, 50, 52, 80, ...) first and informational ones (25, 59, XU, LT, GA) after it,
 * and payers price a line by its pricing modifier wherever it stands, so "any, first wins" is
 * what billing staff expect. A line whose only rates are for other modifiers has no contract.
 *
 * Underpaid: allowed below expected by more than the tolerance, the larger of 1 % of expected
 * and $1 (so rounding and cents of coinsurance arithmetic are never flagged).
 */
export const UNDERPAYMENT_TOLERANCE = { share: 0.01, dollars: 1 } as const;

/**
 * The tenant's contract rates, to be materialised as `contract_rates` (a few hundred rows, joined
 * as a hash table and never re-evaluated per claim line). fee_schedule_effective_rates cuts each
 * (payer, code, modifier) timeline into pieces; here each (payer, code) timeline is cut again at
 * the boundaries of all its modifiers, so every piece knows which modifiers have a rate on it
 * (`modifiers`, '' for the plain rate). That lets RATE_JOIN pick one rate per line with plain
 * expressions: one join, no per-line lookup. Lines without modifiers (most of them) need only
 * the plain rates, uncut: those come once more as `plain_lines` rows, which RATE_JOIN adds to the
 * hash key, so such a line meets exactly the candidates it met before modifiers counted and only
 * lines with modifiers test the cut pieces.
 */
export function contractRatesSql(customerId: string): Prisma.Sql {
  return Prisma.sql`
    WITH e AS (
      SELECT payer_id, cpt_code, modifier, valid_from, valid_until, rate_id, rate
      FROM fee_schedule_effective_rates WHERE customer_id = ${customerId}::uuid
    ),
    cuts AS (
      SELECT payer_id, cpt_code, valid_from AS d FROM e
      UNION
      SELECT payer_id, cpt_code, valid_until FROM e WHERE valid_until < 'infinity'::date
    ),
    pieces AS (
      SELECT payer_id, cpt_code, d AS valid_from,
             coalesce(lead(d) OVER (PARTITION BY payer_id, cpt_code ORDER BY d), 'infinity'::date) AS valid_until
      FROM cuts
    )
    SELECT ${customerId}::uuid AS customer_id, payer_id, cpt_code, modifier, valid_from, valid_until, rate_id, rate,
           ARRAY['']::text[] AS modifiers, true AS plain_lines
    FROM e WHERE modifier = ''
    UNION ALL
    SELECT ${customerId}::uuid, p.payer_id, p.cpt_code, e.modifier, p.valid_from, p.valid_until, e.rate_id, e.rate,
           array_agg(e.modifier) OVER (PARTITION BY p.payer_id, p.cpt_code, p.valid_from), false
    FROM pieces p
    JOIN e ON e.payer_id = p.payer_id AND e.cpt_code = p.cpt_code AND e.valid_from <= p.valid_from AND p.valid_from < e.valid_until`;
}

/** `WITH` item naming the tenant's contract rates `contract_rates`; join them as `contract_rates r ON ${RATE_JOIN}`. */
export function contractRatesCte(customerId: string): Prisma.Sql {
  return Prisma.sql`contract_rates AS MATERIALIZED (${contractRatesSql(customerId)})`;
}

/**
 * The modifier of the rate line `l` takes on a piece `r` of contract_rates: the first of the
 * line's modifiers (split_part of "59:26") that has a rate there, else '' (the plain rate).
 * split_part past the last modifier is '', which matches exactly when a plain rate exists, and
 * otherwise falls through to ''. No rate on the piece has that modifier: no contract.
 */
const CHOSEN_MODIFIER = Prisma.sql`CASE
    WHEN l.modifier = '' THEN ''
    WHEN split_part(l.modifier, ':', 1) = ANY (r.modifiers) THEN split_part(l.modifier, ':', 1)
    WHEN split_part(l.modifier, ':', 2) = ANY (r.modifiers) THEN split_part(l.modifier, ':', 2)
    WHEN split_part(l.modifier, ':', 3) = ANY (r.modifiers) THEN split_part(l.modifier, ':', 3)
    WHEN split_part(l.modifier, ':', 4) = ANY (r.modifiers) THEN split_part(l.modifier, ':', 4)
    ELSE '' END`;

/** Join condition of a claim line `l` to its one contract rate `r` (a row of contract_rates). */
export const RATE_JOIN = Prisma.sql`r.customer_id = l.customer_id AND r.payer_id = l.payer_id AND r.cpt_code = l.cpt_code
  AND r.plain_lines = (l.modifier = '') AND l.service_date >= r.valid_from AND l.service_date < r.valid_until AND r.modifier = ${CHOSEN_MODIFIER}`;

/** expected amount of line `l` under rate `r`, rounded to cents. */
export const EXPECTED = Prisma.sql`round(r.rate * l.units, 2)`;

/** The line is paid (not denied) with a known allowed amount: only such lines count. */
export const COMPARABLE = Prisma.sql`l.outcome <> 'DENIED' AND l.allowed_amount IS NOT NULL`;

/** allowed below expected beyond the tolerance (use with COMPARABLE). */
export function underpaidSql(expected: Prisma.Sql, allowed: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`${allowed} < ${expected} - greatest(${expected} * ${UNDERPAYMENT_TOLERANCE.share}::numeric, ${UNDERPAYMENT_TOLERANCE.dollars}::numeric)`;
}
