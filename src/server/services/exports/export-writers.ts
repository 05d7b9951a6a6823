import { Prisma } from "@/generated/prisma/client";
import { tenantReadDb } from "@/server/db/replica";
import { getPayerSummary, resolvePeriod } from "@/server/services/payer-summary/get-payer-summary";
import { csvRow, type TCsvCell } from "./csv";
import type { TCreateExportInput } from "./export-shape";

/**
 * One CSV writer per export kind. Each reads in keyset pages (a constant number of queries per
 * page, never one per row) and reports progress after every page; the job stores the result.
 */

export const EXPORT_PAGE_SIZE = 1000;
/** Claim-line exports stop here (the export says so in its error-free `rowCount`). */
export const MAX_CLAIM_EXPORT_ROWS = 100_000;

export interface TExportOutput {
  content: string;
  rowCount: number;
}

type TProgress = (fraction: number) => Promise<void>;

/**
 * Walks rows in id order one keyset page at a time (a constant number of queries per page,
 * never one per row), writes each as a CSV row and reports progress after every page.
 */
async function writeKeysetPages<T extends { id: string }>(options: {
  header: readonly TCsvCell[];
  total: number;
  progress: TProgress;
  maxRows?: number;
  fetchPage: (after: string, take: number) => Promise<T[]>;
  toRow: (row: T) => readonly TCsvCell[];
}): Promise<TExportOutput> {
  const maxRows = options.maxRows ?? Infinity;
  const lines = [csvRow(options.header)];
  let after = "00000000-0000-0000-0000-000000000000";
  let rows = 0;
  while (rows < maxRows) {
    const take = Math.min(EXPORT_PAGE_SIZE, maxRows - rows);
    const page = await options.fetchPage(after, take);
    for (const row of page) lines.push(csvRow(options.toRow(row)));
    rows += page.length;
    await options.progress(options.total > 0 ? Math.min(rows / options.total, 0.99) : 0.99);
    if (page.length < take) break;
    after = page.at(-1)!.id;
  }
  return { content: lines.join(""), rowCount: rows };
}

const pct = (value: number | null) => (value === null ? null : Number((value * 100).toFixed(2)));

async function payerScorecard(
  customerId: string,
  params: Extract<TCreateExportInput, { kind: "PAYER_SCORECARD" }>["params"],
  progress: TProgress,
): Promise<TExportOutput> {
  const summary = await getPayerSummary(customerId, { ...params, limit: 500 });
  await progress(0.5);
  const lines = [
    csvRow([
      "payer",
      "period_from",
      "period_to",
      "total_lines",
      "paid",
      "partial",
      "denied",
      "other",
      "denial_rate_pct",
      "avg_allowed_amount",
      "median_days_to_decision",
      "previous_total_lines",
      "previous_denial_rate_pct",
      "denial_rate_change_pp",
      "trend",
      "recouped_amount",
      "interest_paid_amount",
    ]),
  ];
  for (const row of summary.items) {
    lines.push(
      csvRow([
        row.payer.name,
        summary.from,
        summary.to,
        row.totalLines,
        row.paidCount,
        row.partialCount,
        row.deniedCount,
        row.otherCount,
        pct(row.denialRate),
        row.avgAllowedAmount,
        row.medianDaysToDecision,
        row.previous.totalLines,
        pct(row.previous.denialRate),
        pct(row.denialRateChange),
        row.trend,
        row.recoupmentAmount,
        row.interestAmount,
      ]),
    );
  }
  return { content: lines.join(""), rowCount: summary.items.length };
}

type TDriftRow = {
  id: string;
  payer_name: string;
  cpt_group: string;
  drift_type: string;
  status: string;
  denial_reason: string | null;
  baseline_value: number;
  current_value: number;
  delta: number;
  delta_ci_low: number;
  delta_ci_high: number;
  p_value: number;
  q_value: number;
  severity: number;
  direction: string;
  impact: string;
  baseline_n: number;
  current_n: number;
  baseline_start: string;
  baseline_end: string;
  current_start: string;
  current_end: string;
  consecutive_periods: number;
  first_detected_at: Date;
  last_detected_at: Date;
  resolved_at: Date | null;
};

async function driftEvents(
  customerId: string,
  params: Extract<TCreateExportInput, { kind: "DRIFT_EVENTS" }>["params"],
  progress: TProgress,
): Promise<TExportOutput> {
  const scoped = tenantReadDb(customerId);
  const filters: Prisma.Sql[] = [Prisma.sql`d.customer_id = ${customerId}::uuid`];
  if (params.status) filters.push(Prisma.sql`d.status = ${params.status}::drift_status`);
  if (params.driftType) filters.push(Prisma.sql`d.drift_type = ${params.driftType}::drift_type`);
  if (params.payerId) filters.push(Prisma.sql`d.payer_id = ${params.payerId}::uuid`);
  if (params.cptGroup) filters.push(Prisma.sql`d.cpt_group = ${params.cptGroup}`);
  const where = Prisma.join(filters, " AND ");
  const total = (await scoped.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM drift_events d WHERE ${where}`)[0]?.total ?? 0;
  return writeKeysetPages({
    header: [
      "id",
      "payer",
      "cpt_group",
      "drift_type",
      "status",
      "denial_reason",
      "baseline_value",
      "current_value",
      "delta",
      "delta_ci_low",
      "delta_ci_high",
      "p_value",
      "q_value",
      "severity",
      "direction",
      "estimated_revenue_impact_per_month",
      "baseline_sample_size",
      "current_sample_size",
      "baseline_start",
      "baseline_end",
      "current_start",
      "current_end",
      "consecutive_periods",
      "first_detected_at",
      "last_detected_at",
      "resolved_at",
    ],
    total,
    progress,
    fetchPage: (after, take) =>
      scoped.$queryRaw<TDriftRow[]>`
        SELECT d.id, p.name AS payer_name, d.cpt_group, d.drift_type::text, d.status::text, d.denial_reason, d.baseline_value, d.current_value, d.delta,
               d.delta_ci_low, d.delta_ci_high, d.p_value, d.q_value, d.severity, d.direction::text, d.estimated_revenue_impact::text AS impact,
               d.baseline_sample_size AS baseline_n, d.current_sample_size AS current_n, d.baseline_start::text, d.baseline_end::text,
               d.current_start::text, d.current_end::text, d.consecutive_periods, d.first_detected_at, d.last_detected_at, d.resolved_at
        FROM drift_events d JOIN payers p ON p.id = d.payer_id
        WHERE ${where} AND d.id > ${after}::uuid
        ORDER BY d.id LIMIT ${take}`,
    toRow: (r) => [
      r.id,
      r.payer_name,
      r.cpt_group,
      r.drift_type,
      r.status,
      r.denial_reason,
      r.baseline_value,
      r.current_value,
      r.delta,
      r.delta_ci_low,
      r.delta_ci_high,
      r.p_value,
      r.q_value,
      r.severity,
      r.direction,
      r.impact,
      r.baseline_n,
      r.current_n,
      r.baseline_start,
      r.baseline_end,
      r.current_start,
      r.current_end,
      r.consecutive_periods,
      r.first_detected_at,
      r.last_detected_at,
      r.resolved_at,
    ],
  });
}

type TAlertRow = {
  id: string;
  rule_name: string;
  status: string;
  suppressed: boolean;
  suppression_reason: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  drift_event_id: string;
  payer_name: string;
  cpt_group: string;
  drift_type: string;
  severity: number;
  impact: string;
  feedback: number;
};

async function alerts(customerId: string, params: Extract<TCreateExportInput, { kind: "ALERTS" }>["params"], progress: TProgress): Promise<TExportOutput> {
  const scoped = tenantReadDb(customerId);
  const filters: Prisma.Sql[] = [Prisma.sql`a.customer_id = ${customerId}::uuid`];
  if (params.status) filters.push(Prisma.sql`a.status = ${params.status}::alert_status`);
  if (params.createdFrom) filters.push(Prisma.sql`a.created_at >= ${params.createdFrom}::date`);
  if (params.createdTo) filters.push(Prisma.sql`a.created_at < ${params.createdTo}::date + 1`);
  const where = Prisma.join(filters, " AND ");
  const total = (await scoped.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM alert_events a WHERE ${where}`)[0]?.total ?? 0;
  return writeKeysetPages({
    header: [
      "id",
      "rule",
      "status",
      "suppressed",
      "suppression_reason",
      "created_at",
      "acknowledged_at",
      "resolved_at",
      "drift_event_id",
      "payer",
      "cpt_group",
      "drift_type",
      "severity",
      "estimated_revenue_impact_per_month",
      "feedback_count",
    ],
    total,
    progress,
    fetchPage: (after, take) =>
      scoped.$queryRaw<TAlertRow[]>`
        SELECT a.id, r.name AS rule_name, a.status::text, a.suppressed, a.suppression_reason, a.created_at, a.acknowledged_at, a.resolved_at,
               d.id AS drift_event_id, p.name AS payer_name, d.cpt_group, d.drift_type::text, d.severity, d.estimated_revenue_impact::text AS impact,
               (SELECT count(*)::int FROM alert_feedback f WHERE f.alert_event_id = a.id) AS feedback
        FROM alert_events a JOIN alert_rules r ON r.id = a.rule_id JOIN drift_events d ON d.id = a.drift_event_id JOIN payers p ON p.id = d.payer_id
        WHERE ${where} AND a.id > ${after}::uuid
        ORDER BY a.id LIMIT ${take}`,
    toRow: (r) => [
      r.id,
      r.rule_name,
      r.status,
      r.suppressed,
      r.suppression_reason,
      r.created_at,
      r.acknowledged_at,
      r.resolved_at,
      r.drift_event_id,
      r.payer_name,
      r.cpt_group,
      r.drift_type,
      r.severity,
      r.impact,
      r.feedback,
    ],
  });
}

type TClaimRow = {
  id: string;
  submitter_claim_id: string;
  line_number: number;
  payer_claim_number: string | null;
  payer_name: string;
  cpt_code: string;
  modifier: string;
  cpt_group: string;
  units: string;
  service_date: string;
  submitted_at: string;
  decided_at: string;
  paid_at: string | null;
  billed: string;
  allowed: string | null;
  paid: string | null;
  outcome: string;
  denial_group: string | null;
  denial_code: string | null;
  remark_codes: string[];
};

/** Claim lines are PHI: the export is marked so, and its download is audited. */
async function claims(customerId: string, params: Extract<TCreateExportInput, { kind: "CLAIMS" }>["params"], progress: TProgress): Promise<TExportOutput> {
  const scoped = tenantReadDb(customerId);
  const period = resolvePeriod({ from: params.decidedFrom, to: params.decidedTo });
  const filters: Prisma.Sql[] = [
    Prisma.sql`l.customer_id = ${customerId}::uuid`,
    Prisma.sql`l.decided_at >= ${period.from}::date`,
    Prisma.sql`l.decided_at <= ${period.to}::date`,
  ];
  if (params.payerId) filters.push(Prisma.sql`l.payer_id = ${params.payerId}::uuid`);
  const where = Prisma.join(filters, " AND ");
  const total =
    (await scoped.$queryRaw<{ total: number }[]>`SELECT least(count(*), ${MAX_CLAIM_EXPORT_ROWS}::int)::int AS total FROM claim_lines l WHERE ${where}`)[0]
      ?.total ?? 0;
  return writeKeysetPages({
    header: [
      "id",
      "submitter_claim_id",
      "line_number",
      "payer_claim_number",
      "payer",
      "cpt_code",
      "modifier",
      "cpt_group",
      "units",
      "service_date",
      "submitted_at",
      "decided_at",
      "paid_at",
      "billed_amount",
      "allowed_amount",
      "paid_amount",
      "outcome",
      "denial_reason",
      "remark_codes",
    ],
    total,
    progress,
    maxRows: MAX_CLAIM_EXPORT_ROWS,
    fetchPage: (after, take) =>
      scoped.$queryRaw<TClaimRow[]>`
        SELECT l.id, l.submitter_claim_id, l.line_number, l.payer_claim_number, p.name AS payer_name, l.cpt_code, l.modifier, l.cpt_group, l.units::text,
               l.service_date::text, l.submitted_at::text, l.decided_at::text, l.paid_at::text, l.billed_amount::text AS billed,
               l.allowed_amount::text AS allowed, l.paid_amount::text AS paid, l.outcome::text, l.denial_group, l.denial_code, l.remark_codes
        FROM claim_lines l JOIN payers p ON p.id = l.payer_id
        WHERE ${where} AND l.id > ${after}::uuid
        ORDER BY l.id LIMIT ${take}`,
    toRow: (r) => [
      r.id,
      r.submitter_claim_id,
      r.line_number,
      r.payer_claim_number,
      r.payer_name,
      r.cpt_code,
      r.modifier,
      r.cpt_group,
      r.units,
      r.service_date,
      r.submitted_at,
      r.decided_at,
      r.paid_at,
      r.billed,
      r.allowed,
      r.paid,
      r.outcome,
      r.denial_group ? `${r.denial_group}-${r.denial_code}` : null,
      r.remark_codes.join(" "),
    ],
  });
}

export function writeExport(customerId: string, input: TCreateExportInput, progress: TProgress): Promise<TExportOutput> {
  switch (input.kind) {
    case "PAYER_SCORECARD":
      return payerScorecard(customerId, input.params, progress);
    case "DRIFT_EVENTS":
      return driftEvents(customerId, input.params, progress);
    case "ALERTS":
      return alerts(customerId, input.params, progress);
    case "CLAIMS":
      return claims(customerId, input.params, progress);
  }
}
