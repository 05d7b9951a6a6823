import { Prisma } from "@/generated/prisma/client";
import type { TDb } from "@/server/db/client";
import { COMPARABLE, contractRatesCte, EXPECTED, RATE_JOIN } from "@/server/services/underpayments/expected-payment-sql";
import type { TWindows } from "../compute-windows";
import { METRICS_PLANNER_SETTINGS } from "../query-cell-metrics";
import type { TMoments, TRootCauseAggregates } from "./explain-drift";

/**
 * The aggregates explain-drift.ts needs for a run's findings, in ONE SQL statement: only the
 * findings' (payer, CPT group) cells are read, and per finding come back a few hundred numbers
 * at most — per window the lines, denials and the metric's moments; denials per CARC; lines per
 * RARC; the metric's moments per CPT code; and per day (the series for the change date). No
 * claim line reaches Node.
 *
 * The per-line metric follows the event's type (see explain-drift.ts); PAYMENT_AMOUNT divides
 * allowed per unit by the baseline median of the same payer and code, as query-cell-metrics.ts;
 * UNDERPAYMENT takes the variance (expected - allowed) of contracted lines, so only the cells of
 * UNDERPAYMENT findings are joined to their fee schedule rates.
 */

export interface TRootCauseFinding {
  key: string;
  payerId: string;
  cptGroup: string;
  driftType: string;
  denialReason: string | null;
}

interface TRow {
  key: string;
  kind: "WINDOW" | "CARC" | "CODE" | "DAY" | "RARC";
  current: boolean | null;
  label: string | null;
  day: string | null;
  lines: number;
  denied: number;
  n: number;
  sum: number;
  sumSq: number;
}

export function rootCauseSql(customerId: string, windows: TWindows, findings: readonly TRootCauseFinding[]): Prisma.Sql {
  const rows = findings.map((f) => ({ key: f.key, payer_id: f.payerId, cpt_group: f.cptGroup, drift_type: f.driftType, carc: f.denialReason }));
  return Prisma.sql`
WITH ${contractRatesCte(customerId)},
f AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS f(key text, payer_id uuid, cpt_group text, drift_type text, carc text)
),
base AS MATERIALIZED (
  SELECT l.payer_id, l.cpt_group, l.cpt_code, l.outcome, l.units, l.allowed_amount, l.remark_codes, l.decided_at,
         CASE WHEN l.outcome = 'DENIED' THEN coalesce(l.denial_group || '-' || l.denial_code, 'UNSPECIFIED') END AS carc,
         l.decided_at - l.submitted_at AS lag_days,
         l.decided_at >= ${windows.currentStart}::date AS cur,
         CASE WHEN ${COMPARABLE} THEN ${EXPECTED} - l.allowed_amount END AS variance
  FROM claim_lines l
  LEFT JOIN contract_rates r ON ${RATE_JOIN}
    AND (l.payer_id, l.cpt_group) IN (SELECT payer_id, cpt_group FROM f WHERE drift_type = 'UNDERPAYMENT')
  WHERE l.customer_id = ${customerId}::uuid
    AND l.decided_at >= ${windows.baselineStart}::date AND l.decided_at <= ${windows.currentEnd}::date
    AND (l.payer_id, l.cpt_group) IN (SELECT payer_id, cpt_group FROM f)
),
code_median AS (
  SELECT payer_id, cpt_code, percentile_cont(0.5) WITHIN GROUP (ORDER BY (allowed_amount / units)::float8) AS med
  FROM base
  WHERE NOT cur AND outcome <> 'DENIED' AND allowed_amount > 0 AND units > 0
    AND (payer_id, cpt_group) IN (SELECT payer_id, cpt_group FROM f WHERE drift_type = 'PAYMENT_AMOUNT')
  GROUP BY payer_id, cpt_code
),
x AS MATERIALIZED (
  SELECT f.key, b.cur, b.decided_at, b.cpt_code, b.carc, b.remark_codes,
         CASE f.drift_type
           WHEN 'DENIAL_RATE' THEN (b.carc IS NOT NULL)::int::float8
           WHEN 'DENIAL_REASON' THEN (b.carc IS NOT DISTINCT FROM f.carc)::int::float8
           WHEN 'DECISION_TIME' THEN b.lag_days::float8
           WHEN 'PAYMENT_AMOUNT' THEN CASE WHEN b.outcome <> 'DENIED' AND b.allowed_amount > 0 AND b.units > 0 AND m.med > 0
                                           THEN (b.allowed_amount / b.units)::float8 / m.med END
           WHEN 'UNDERPAYMENT' THEN b.variance::float8
         END AS v
  FROM f
  JOIN base b ON b.payer_id = f.payer_id AND b.cpt_group = f.cpt_group
  LEFT JOIN code_median m ON f.drift_type = 'PAYMENT_AMOUNT' AND m.payer_id = b.payer_id AND m.cpt_code = b.cpt_code
),
grouped AS (
  SELECT key,
         CASE WHEN GROUPING(decided_at) = 0 THEN 'DAY' WHEN GROUPING(cpt_code) = 0 THEN 'CODE'
              WHEN GROUPING(carc) = 0 THEN 'CARC' ELSE 'WINDOW' END AS kind,
         CASE WHEN GROUPING(cur) = 0 THEN cur END AS current,
         CASE WHEN GROUPING(cpt_code) = 0 THEN cpt_code WHEN GROUPING(carc) = 0 THEN carc END AS label,
         CASE WHEN GROUPING(decided_at) = 0 THEN to_char(decided_at, 'YYYY-MM-DD') END AS day,
         count(*) AS lines, count(carc) AS denied,
         count(v) AS n, coalesce(sum(v), 0) AS sum, coalesce(sum(v * v), 0) AS "sumSq"
  FROM x
  GROUP BY GROUPING SETS ((key, cur), (key, cur, carc), (key, cur, cpt_code), (key, decided_at))
  HAVING GROUPING(carc) = 1 OR carc IS NOT NULL
),
remarks AS (
  SELECT key, 'RARC' AS kind, cur AS current, r.code AS label, NULL::text AS day,
         count(*) AS lines, 0 AS denied, 0 AS n, 0::float8 AS sum, 0::float8 AS "sumSq"
  FROM x CROSS JOIN LATERAL (SELECT DISTINCT unnest(x.remark_codes) AS code) r
  GROUP BY key, cur, r.code
)
SELECT coalesce(json_agg(t), '[]')::text AS rows
FROM (SELECT * FROM grouped UNION ALL SELECT * FROM remarks) t`;
}

const emptyMoments = (): TMoments => ({ n: 0, sum: 0, sumSq: 0 });

function assemble(rows: readonly TRow[], keys: readonly string[]): Map<string, TRootCauseAggregates> {
  const result = new Map<string, TRootCauseAggregates>();
  const empty = (): TRootCauseAggregates => ({
    baseline: { lines: 0, denied: 0, metric: emptyMoments() },
    current: { lines: 0, denied: 0, metric: emptyMoments() },
    carcs: [],
    rarcs: [],
    procedures: [],
    daily: [],
  });
  for (const key of keys) result.set(key, empty());
  const carcs = new Map<string, { carc: string; baseline: number; current: number }>();
  const rarcs = new Map<string, { code: string; baseline: number; current: number }>();
  const codes = new Map<string, { cptCode: string; baseline: TMoments; current: TMoments }>();
  for (const row of rows) {
    const into = result.get(row.key);
    if (!into) continue;
    const side = row.current ? "current" : "baseline";
    const moments = { n: Number(row.n), sum: Number(row.sum), sumSq: Number(row.sumSq) };
    const id = `${row.key}|${row.label}`;
    if (row.kind === "WINDOW") {
      into[side] = { lines: Number(row.lines), denied: Number(row.denied), metric: moments };
    } else if (row.kind === "DAY" && row.day) {
      if (moments.n > 0) into.daily.push({ day: row.day, ...moments });
    } else if (row.kind === "CARC" && row.label) {
      let entry = carcs.get(id);
      if (!entry) {
        entry = { carc: row.label, baseline: 0, current: 0 };
        carcs.set(id, entry);
        into.carcs.push(entry);
      }
      entry[side] = Number(row.lines);
    } else if (row.kind === "RARC" && row.label) {
      let entry = rarcs.get(id);
      if (!entry) {
        entry = { code: row.label, baseline: 0, current: 0 };
        rarcs.set(id, entry);
        into.rarcs.push(entry);
      }
      entry[side] = Number(row.lines);
    } else if (row.kind === "CODE" && row.label) {
      let entry = codes.get(id);
      if (!entry) {
        entry = { cptCode: row.label, baseline: emptyMoments(), current: emptyMoments() };
        codes.set(id, entry);
        into.procedures.push(entry);
      }
      entry[side] = moments;
    }
  }
  for (const aggregates of result.values()) aggregates.daily.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return result;
}

export async function queryRootCauseAggregates(
  client: TDb,
  customerId: string,
  windows: TWindows,
  findings: readonly TRootCauseFinding[],
): Promise<Map<string, TRootCauseAggregates>> {
  if (findings.length === 0) return new Map();
  const [row] = await client.$transaction(
    async (tx) => {
      for (const setting of METRICS_PLANNER_SETTINGS) await tx.$executeRaw(setting);
      return tx.$queryRaw<Array<{ rows: string }>>(rootCauseSql(customerId, windows, findings));
    },
    { maxWait: 10_000, timeout: 600_000 },
  );
  return assemble(
    JSON.parse(row?.rows ?? "[]") as TRow[],
    findings.map((f) => f.key),
  );
}
