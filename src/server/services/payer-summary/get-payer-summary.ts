import { tenantReadDb } from "@/server/db/replica";
import { payerSummaryCache } from "@/server/services/dashboard/dashboard-cache";
import { fieldError } from "@/server/lib/errors";
import { parseOrdering } from "@/server/lib/pagination";
import {
  INTEREST_REASON_CODES,
  MAX_PERIOD_DAYS,
  PAYER_SUMMARY_ORDERING,
  RECOUPMENT_REASON_CODES,
  SPARKLINE_BUCKETS,
  type TPayerSummary,
  type TPayerSummaryInput,
  type TPayerSummaryRow,
} from "./payer-summary-shape";

/**
 * The payer scorecard: three aggregate queries whatever the number of payers, all index-only
 * scans of covering indexes (EXPLAIN in read-side.test.ts): one for the period and the previous
 * period of equal length (GROUPING SETS adds the totals row), one for the sparkline slices, one
 * for the recoupments and interest of provider-level adjustments (per payer and month, per
 * payer, and in all, again with GROUPING SETS). Payers are few per customer, so sorting happens here.
 */

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
const DEFAULT_LIMIT = 200;
/** A denial-rate move within ±1 percentage point is "steady". */
const STEADY_BAND = 0.01;

const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function parseDay(value: string, field: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || toDay(ms) !== value) throw fieldError(field, "not a valid calendar date (YYYY-MM-DD)");
  return ms;
}

export function resolvePeriod(input: Pick<TPayerSummaryInput, "from" | "to">, today = new Date()) {
  const toMs = input.to ? parseDay(input.to, "to") : Date.parse(`${today.toISOString().slice(0, 10)}T00:00:00Z`);
  const fromMs = input.from ? parseDay(input.from, "from") : toMs - (DEFAULT_DAYS - 1) * DAY_MS;
  if (fromMs > toMs) throw fieldError("from", "must be on or before `to`");
  const days = Math.round((toMs - fromMs) / DAY_MS) + 1;
  if (days > MAX_PERIOD_DAYS) throw fieldError("from", `the period may span at most ${MAX_PERIOD_DAYS} days`);
  return {
    from: toDay(fromMs),
    to: toDay(toMs),
    previousFrom: toDay(fromMs - days * DAY_MS),
    previousTo: toDay(fromMs - DAY_MS),
    days,
  };
}

type TAggregateRow = {
  is_total: boolean;
  payer_id: string | null;
  payer_name: string | null;
  total: number;
  paid: number;
  partial: number;
  denied: number;
  other: number;
  avg_allowed: string | null;
  median_days: number | null;
  prev_total: number;
  prev_denied: number;
  prev_avg_allowed: string | null;
  prev_median_days: number | null;
};

type TSliceRow = { payer_id: string; slice: number; lines: number; denied: number };

type TAdjustmentRow = {
  by_payer: boolean;
  by_month: boolean;
  payer_id: string | null;
  payer_name: string | null;
  month: string | null;
  recouped: string;
  interest: string;
};

const rate = (denied: number, total: number) => (total > 0 ? denied / total : null);

function trendOf(current: number | null, previous: number | null): TPayerSummaryRow["trend"] {
  if (current === null || previous === null) return "NEW";
  if (current - previous > STEADY_BAND) return "WORSE";
  if (previous - current > STEADY_BAND) return "BETTER";
  return "STEADY";
}

function sortValue(row: TPayerSummaryRow, field: string): string | number | null {
  switch (field) {
    case "payer":
      return row.payer.name.toLowerCase();
    case "avgAllowedAmount":
      return row.avgAllowedAmount === null ? null : Number(row.avgAllowedAmount);
    default:
      return row[field as "totalLines"] as number | null;
  }
}

/**
 * The scorecard, from the per-process versioned cache when the customer's uploads have not
 * changed since (the version is read from the database on every call, so any instance's upload
 * is a miss everywhere; see dashboard-cache.ts). While a recomputation runs, other requests get
 * the last scorecard at once (stale while computing, bounded).
 */
export async function getPayerSummary(customerId: string, input: TPayerSummaryInput, today = new Date()): Promise<TPayerSummary> {
  const period = resolvePeriod(input, today);
  const ordering = parseOrdering(input.ordering, PAYER_SUMMARY_ORDERING, { field: "totalLines", direction: "desc" });
  const rows = await tenantReadDb(customerId).$queryRaw<{ version: string }[]>`
    SELECT count(*) || ':' || coalesce(max(greatest(created_at, completed_at)), 'epoch')::text AS version
    FROM uploads WHERE customer_id = ${customerId}::uuid`;
  const key = `${customerId}|${period.from}|${period.to}|${ordering.direction}${ordering.field}|${input.limit ?? DEFAULT_LIMIT}`;
  return payerSummaryCache.getOrCompute(key, rows[0]?.version ?? "", () => computePayerSummary(customerId, input, today));
}

export async function computePayerSummary(customerId: string, input: TPayerSummaryInput, today = new Date()): Promise<TPayerSummary> {
  const period = resolvePeriod(input, today);
  const ordering = parseOrdering(input.ordering, PAYER_SUMMARY_ORDERING, { field: "totalLines", direction: "desc" });
  const limit = input.limit ?? DEFAULT_LIMIT;
  const scoped = tenantReadDb(customerId);
  const { from, to, previousFrom, days } = period;

  const [aggregates, slices, adjustments] = await Promise.all([
    scoped.$queryRaw<TAggregateRow[]>`
      SELECT (GROUPING(l.payer_id) = 1) AS is_total, l.payer_id, max(p.name) AS payer_name,
        (count(*) FILTER (WHERE cur))::int AS total,
        (count(*) FILTER (WHERE cur AND outcome = 'PAID'))::int AS paid,
        (count(*) FILTER (WHERE cur AND outcome = 'PARTIAL'))::int AS partial,
        (count(*) FILTER (WHERE cur AND outcome = 'DENIED'))::int AS denied,
        (count(*) FILTER (WHERE cur AND outcome = 'OTHER'))::int AS other,
        round(avg(allowed_amount) FILTER (WHERE cur), 2)::text AS avg_allowed,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE cur))::float8 AS median_days,
        (count(*) FILTER (WHERE NOT cur))::int AS prev_total,
        (count(*) FILTER (WHERE NOT cur AND outcome = 'DENIED'))::int AS prev_denied,
        round(avg(allowed_amount) FILTER (WHERE NOT cur), 2)::text AS prev_avg_allowed,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FILTER (WHERE NOT cur))::float8 AS prev_median_days
      FROM (
        SELECT payer_id, outcome, allowed_amount, decided_at - submitted_at AS days, decided_at >= ${from}::date AS cur
        FROM claim_lines
        WHERE customer_id = ${customerId}::uuid AND decided_at >= ${previousFrom}::date AND decided_at <= ${to}::date
      ) l
      LEFT JOIN payers p ON p.id = l.payer_id
      GROUP BY GROUPING SETS ((l.payer_id), ())`,
    scoped.$queryRaw<TSliceRow[]>`
      SELECT payer_id, least(((decided_at - ${from}::date) * ${SPARKLINE_BUCKETS}::int) / ${days}::int, ${SPARKLINE_BUCKETS - 1}::int) AS slice,
        count(*)::int AS lines, (count(*) FILTER (WHERE outcome = 'DENIED'))::int AS denied
      FROM claim_lines
      WHERE customer_id = ${customerId}::uuid AND decided_at >= ${from}::date AND decided_at <= ${to}::date
      GROUP BY 1, 2`,
    // The signs as stored are the PLB's (positive = taken from the payment), so recoupments sum
    // as they are and interest (L6, negative when paid) is flipped.
    scoped.$queryRaw<TAdjustmentRow[]>`
      SELECT (GROUPING(a.payer_id) = 0) AS by_payer, (GROUPING(a.month) = 0) AS by_month, a.payer_id, max(p.name) AS payer_name, a.month,
        coalesce(sum(a.amount) FILTER (WHERE a.reason_code = ANY(${RECOUPMENT_REASON_CODES as readonly string[]}::text[])), 0.00)::text AS recouped,
        coalesce(-sum(a.amount) FILTER (WHERE a.reason_code = ANY(${INTEREST_REASON_CODES as readonly string[]}::text[])), 0.00)::text AS interest
      FROM (
        SELECT payer_id, to_char(remittance_date, 'YYYY-MM') AS month, reason_code, amount
        FROM provider_adjustments
        WHERE customer_id = ${customerId}::uuid AND remittance_date >= ${from}::date AND remittance_date <= ${to}::date
          AND reason_code = ANY(${[...RECOUPMENT_REASON_CODES, ...INTEREST_REASON_CODES]}::text[])
      ) a
      LEFT JOIN payers p ON p.id = a.payer_id
      GROUP BY GROUPING SETS ((a.payer_id, a.month), (a.payer_id), ())`,
  ]);

  const adjustmentsByPayer = new Map<string, TAdjustmentRow>();
  const adjustmentsByMonth: TPayerSummary["adjustmentsByMonth"] = [];
  let adjustmentTotals = { recoupmentAmount: "0.00", interestAmount: "0.00" };
  for (const row of adjustments) {
    if (!row.by_payer) adjustmentTotals = { recoupmentAmount: row.recouped, interestAmount: row.interest };
    else if (!row.by_month) adjustmentsByPayer.set(row.payer_id!, row);
    else if (row.recouped !== "0.00" || row.interest !== "0.00") {
      adjustmentsByMonth.push({
        payer: { id: row.payer_id!, name: row.payer_name ?? "Unknown payer" },
        month: row.month!,
        recoupmentAmount: row.recouped,
        interestAmount: row.interest,
      });
    }
  }
  adjustmentsByMonth.sort((a, b) => b.month.localeCompare(a.month) || a.payer.name.localeCompare(b.payer.name) || a.payer.id.localeCompare(b.payer.id));

  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const sliceStarts = Array.from({ length: SPARKLINE_BUCKETS }, (_, i) => toDay(fromMs + Math.ceil((i * days) / SPARKLINE_BUCKETS) * DAY_MS));
  const slicesByPayer = new Map<string, Map<number, TSliceRow>>();
  for (const row of slices) {
    const byIndex = slicesByPayer.get(row.payer_id) ?? new Map<number, TSliceRow>();
    byIndex.set(Number(row.slice), row);
    slicesByPayer.set(row.payer_id, byIndex);
  }

  let totalsRow: TAggregateRow | undefined;
  const rows: TPayerSummaryRow[] = [];
  for (const row of aggregates) {
    if (row.is_total) {
      totalsRow = row;
      continue;
    }
    // A payer seen only in the previous period has no line in this one: not on the scorecard.
    if (row.total === 0 || !row.payer_id) continue;
    const denialRate = rate(row.denied, row.total);
    const previousRate = rate(row.prev_denied, row.prev_total);
    const byIndex = slicesByPayer.get(row.payer_id);
    rows.push({
      payer: { id: row.payer_id, name: row.payer_name ?? "Unknown payer" },
      totalLines: row.total,
      paidCount: row.paid,
      partialCount: row.partial,
      deniedCount: row.denied,
      otherCount: row.other,
      denialRate,
      avgAllowedAmount: row.avg_allowed,
      medianDaysToDecision: row.median_days,
      previous: {
        totalLines: row.prev_total,
        deniedCount: row.prev_denied,
        denialRate: previousRate,
        avgAllowedAmount: row.prev_avg_allowed,
        medianDaysToDecision: row.prev_median_days,
      },
      denialRateChange: denialRate !== null && previousRate !== null ? denialRate - previousRate : null,
      totalLinesChange: row.prev_total > 0 ? row.total / row.prev_total - 1 : null,
      trend: trendOf(denialRate, previousRate),
      sparkline: sliceStarts.map((start, index) => {
        const slice = byIndex?.get(index);
        return { start, lines: slice?.lines ?? 0, denialRate: slice ? rate(slice.denied, slice.lines) : null };
      }),
      recoupmentAmount: adjustmentsByPayer.get(row.payer_id)?.recouped ?? "0.00",
      interestAmount: adjustmentsByPayer.get(row.payer_id)?.interest ?? "0.00",
    });
  }

  const sign = ordering.direction === "asc" ? 1 : -1;
  rows.sort((a, b) => {
    const x = sortValue(a, ordering.field);
    const y = sortValue(b, ordering.field);
    // Missing values last in either direction; ties by payer name, then id, for a stable order.
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    if (x !== null && y !== null && x !== y) return (x < y ? -1 : 1) * sign;
    return a.payer.name.localeCompare(b.payer.name) || a.payer.id.localeCompare(b.payer.id);
  });

  const t = totalsRow;
  return {
    from,
    to,
    previousFrom,
    previousTo: period.previousTo,
    ordering: `${ordering.direction === "desc" ? "-" : ""}${ordering.field}`,
    items: rows.slice(0, limit),
    truncated: rows.length > limit,
    totals: {
      totalLines: t?.total ?? 0,
      deniedCount: t?.denied ?? 0,
      denialRate: t ? rate(t.denied, t.total) : null,
      avgAllowedAmount: t?.avg_allowed ?? null,
      medianDaysToDecision: t?.median_days ?? null,
    },
    adjustmentsByMonth,
    adjustmentTotals,
  };
}
