import { Prisma } from "@/generated/prisma/client";
import type { TDb } from "@/server/db/client";
import type { TWindows } from "./compute-windows";
import { underpaymentMetricsSql, type TUnderpaymentRow } from "./query-underpayment-metrics";

/**
 * Every number drift detection needs, for one tenant and one pair of windows, in ONE SQL
 * statement: the window's claim lines are read once (an index-only scan of
 * claim_lines_customer_decided_idx) into a materialised CTE, and aggregated per
 * (payer, CPT group, window) into
 *   - decided / denied counts and allowed sums (DENIAL_RATE, revenue impact),
 *   - counts per CARC among denials (DENIAL_REASON),
 *   - the histogram of days from submission to decision (DECISION_TIME: ranks, medians and
 *     the Moses interval follow exactly from it, see summarize-histograms.ts),
 *   - for allowed-per-unit ratios against the baseline median of the same payer and CPT code
 *     (PAYMENT_AMOUNT, CPT-mix adjusted): sample sizes, medians (percentile_cont), mean and
 *     variance of log ratios, and the Mann–Whitney rank sum of the baseline with the tie term,
 *     computed from cumulative counts over the distinct ratios (average ranks for ties).
 * What comes back is a few rows per cell; no claim line ever reaches Node.
 */

export interface TCountRow {
  kind: "CELL" | "CARC" | "LAG";
  payerId: string;
  cptGroup: string;
  current: boolean;
  /** "CO-197" for CARC rows. */
  carc: string | null;
  /** Days from submission to decision, for LAG rows. */
  lagDays: number | null;
  lines: number;
  denied: number;
  /** Sum and count of allowed amounts on lines that were not denied. */
  allowedSum: number;
  allowedCount: number;
}

export interface TPaymentRow {
  payerId: string;
  cptGroup: string;
  nA: number;
  nB: number;
  medianA: number | null;
  medianB: number | null;
  meanLogA: number | null;
  varLogA: number | null;
  meanLogB: number | null;
  varLogB: number | null;
  rankSumA: number;
  tieTerm: number;
}

export interface TCellMetrics {
  counts: TCountRow[];
  payments: TPaymentRow[];
  /** UNDERPAYMENT: contracted lines against the fee schedules (query-underpayment-metrics.ts). */
  underpayments: TUnderpaymentRow[];
}

export function cellMetricsSql(customerId: string, windows: TWindows): Prisma.Sql {
  return Prisma.sql`
WITH base AS MATERIALIZED (
  SELECT payer_id, cpt_group, cpt_code, outcome, units, allowed_amount, denial_group, denial_code,
         decided_at >= ${windows.currentStart}::date AS cur,
         -- NULL when submitted_at is (an 835 whose dates contradict each other): no LAG row counts it.
         decided_at - submitted_at AS lag_days
  FROM claim_lines
  WHERE customer_id = ${customerId}::uuid
    AND decided_at >= ${windows.baselineStart}::date AND decided_at <= ${windows.currentEnd}::date
),
counts AS (
  SELECT CASE WHEN GROUPING(lag_days) = 0 THEN 'LAG' WHEN GROUPING(denial_group) = 0 THEN 'CARC' ELSE 'CELL' END AS kind,
         payer_id AS "payerId", cpt_group AS "cptGroup", cur AS "current",
         CASE WHEN GROUPING(denial_group) = 0 THEN denial_group || '-' || denial_code END AS carc,
         lag_days AS "lagDays",
         count(*) AS lines,
         count(*) FILTER (WHERE outcome = 'DENIED') AS denied,
         coalesce(sum(allowed_amount) FILTER (WHERE outcome <> 'DENIED'), 0)::float8 AS "allowedSum",
         count(allowed_amount) FILTER (WHERE outcome <> 'DENIED') AS "allowedCount"
  FROM base
  GROUP BY GROUPING SETS ((payer_id, cpt_group, cur),
                          (payer_id, cpt_group, cur, denial_group, denial_code),
                          (payer_id, cpt_group, cur, lag_days))
  HAVING GROUPING(denial_group) = 1 OR count(*) FILTER (WHERE outcome = 'DENIED') > 0
),
pay AS MATERIALIZED (
  SELECT payer_id, cpt_group, cpt_code, cur, (allowed_amount / units)::float8 AS apu
  FROM base
  -- units > 0: 835 lines may carry 0 units, which have no per-unit amount to compare.
  WHERE outcome <> 'DENIED' AND allowed_amount > 0 AND units > 0
),
code_median AS (
  SELECT payer_id, cpt_code, percentile_cont(0.5) WITHIN GROUP (ORDER BY apu) AS med
  FROM pay WHERE NOT cur
  GROUP BY payer_id, cpt_code
),
ratios AS MATERIALIZED (
  SELECT p.payer_id, p.cpt_group, p.cur, p.apu / m.med AS r
  FROM pay p JOIN code_median m ON m.payer_id = p.payer_id AND m.cpt_code = p.cpt_code
  WHERE m.med > 0
),
ratio_values AS (
  SELECT payer_id, cpt_group, r,
         count(*) FILTER (WHERE NOT cur)::float8 AS na,
         count(*) FILTER (WHERE cur)::float8 AS nb
  FROM ratios
  GROUP BY payer_id, cpt_group, r
),
ratio_ranks AS (
  SELECT payer_id, cpt_group,
         sum(na * (coalesce(before, 0) + (na + nb + 1) / 2)) AS rank_sum_a,
         sum((na + nb) ^ 3 - (na + nb)) AS tie_term
  FROM (SELECT *, sum(na + nb) OVER (PARTITION BY payer_id, cpt_group ORDER BY r
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
        FROM ratio_values) ranked
  GROUP BY payer_id, cpt_group
),
ratio_summary AS (
  SELECT payer_id, cpt_group,
         count(*) FILTER (WHERE NOT cur) AS n_a,
         count(*) FILTER (WHERE cur) AS n_b,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY r) FILTER (WHERE NOT cur) AS median_a,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY r) FILTER (WHERE cur) AS median_b,
         avg(ln(r)) FILTER (WHERE NOT cur) AS mean_log_a,
         var_samp(ln(r)) FILTER (WHERE NOT cur) AS var_log_a,
         avg(ln(r)) FILTER (WHERE cur) AS mean_log_b,
         var_samp(ln(r)) FILTER (WHERE cur) AS var_log_b
  FROM ratios
  GROUP BY payer_id, cpt_group
),
payments AS (
  SELECT s.payer_id AS "payerId", s.cpt_group AS "cptGroup", s.n_a AS "nA", s.n_b AS "nB",
         s.median_a AS "medianA", s.median_b AS "medianB",
         s.mean_log_a AS "meanLogA", s.var_log_a AS "varLogA", s.mean_log_b AS "meanLogB", s.var_log_b AS "varLogB",
         r.rank_sum_a AS "rankSumA", r.tie_term AS "tieTerm"
  FROM ratio_summary s JOIN ratio_ranks r USING (payer_id, cpt_group)
)
SELECT (SELECT coalesce(json_agg(counts), '[]') FROM counts)::text AS counts,
       (SELECT coalesce(json_agg(payments), '[]') FROM payments)::text AS payments`;
}

/**
 * Runs the aggregate in a read-only transaction of its own with two planner settings: right
 * after a bulk load the table has no statistics yet, the CTEs look like a handful of rows, and
 * the planner picks nested loops that take minutes; hash and merge joins are right at any size.
 * A larger work_mem keeps the sorts of a million ratios in memory.
 */
export const METRICS_PLANNER_SETTINGS = [
  Prisma.sql`SET TRANSACTION READ ONLY`,
  Prisma.sql`SET LOCAL enable_nestloop = off`,
  Prisma.sql`SET LOCAL work_mem = '128MB'`,
];

export async function queryCellMetrics(client: TDb, customerId: string, windows: TWindows): Promise<TCellMetrics> {
  const [row, under] = await client.$transaction(
    async (tx) => {
      for (const setting of METRICS_PLANNER_SETTINGS) await tx.$executeRaw(setting);
      const cells = await tx.$queryRaw<Array<{ counts: string; payments: string }>>(cellMetricsSql(customerId, windows));
      const underpayments = await tx.$queryRaw<Array<{ rows: string }>>(underpaymentMetricsSql(customerId, windows));
      return [cells[0], underpayments[0]] as const;
    },
    { maxWait: 10_000, timeout: 600_000 },
  );
  return {
    counts: JSON.parse(row?.counts ?? "[]") as TCountRow[],
    payments: JSON.parse(row?.payments ?? "[]") as TPaymentRow[],
    underpayments: JSON.parse(under?.rows ?? "[]") as TUnderpaymentRow[],
  };
}
